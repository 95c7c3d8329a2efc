package io.rollingpaper.node.config;

import io.rollingpaper.node.auth.VerificationKeys;

import java.util.List;
import java.util.Optional;

/**
 * Who may connect and what they may do. Auth is on when a JWT key is configured.
 *
 * @param jwtSecret        HS256 shared secret
 * @param jwtPublicKeyFile a PEM public key (RS256 or ES256)
 * @param jwksFile         a JWKS file of public keys
 * @param apiKey           the bearer key of the HTTP API; empty leaves the API open (development only)
 * @param allowedOrigins   browser origins allowed to open sockets; {@code *} allows any
 * @param audience         when set, a token's {@code aud} must name it
 * @param issuer           when set, a token's {@code iss} must be it
 */
public record AuthSettings(Optional<String> jwtSecret, Optional<String> jwtPublicKeyFile, Optional<String> jwksFile,
                           Optional<String> apiKey, List<String> allowedOrigins, Optional<String> audience,
                           Optional<String> issuer) {
  /** The fewest characters of an API key: it guards every paper's data. */
  public static final int MIN_API_KEY_LENGTH = 32;

  public boolean enabled() {
    return jwtSecret.isPresent() || jwtPublicKeyFile.isPresent() || jwksFile.isPresent();
  }

  public boolean originAllowed(String origin) {
    return origin == null || allowedOrigins.contains("*") || allowedOrigins.contains(origin);
  }

  @Override
  public String toString() {
    // Secrets never reach a log line.
    return "AuthSettings[jwt=" + (jwtSecret.isPresent() ? "HS256" : jwtPublicKeyFile.isPresent() ? "public key"
        : jwksFile.isPresent() ? "JWKS" : "off") + ", apiKey=" + (apiKey.isPresent() ? "set" : "none")
        + ", allowedOrigins=" + allowedOrigins + ", audience=" + audience.orElse("any") + ", issuer="
        + issuer.orElse("any") + "]";
  }

  static AuthSettings read(EnvReader r) {
    AuthSettings auth = new AuthSettings(r.optional("AUTH_JWT_SECRET"), r.optional("AUTH_JWT_PUBLIC_KEY_FILE"),
        r.optional("AUTH_JWKS_FILE"), r.optional("API_KEY"), r.list("ALLOWED_ORIGINS", List.of("*")),
        r.optional("AUTH_JWT_AUDIENCE"), r.optional("AUTH_JWT_ISSUER"));
    if (auth.enabled() && auth.apiKey().isEmpty()) {
      r.problem("auth is on but the HTTP API would be open: set API_KEY");
    }
    auth.apiKey().filter(key -> key.length() < MIN_API_KEY_LENGTH).ifPresent(key ->
        r.problem("API_KEY must be at least " + MIN_API_KEY_LENGTH + " characters"));
    if (auth.enabled()) {
      try {
        VerificationKeys.load(auth);
      } catch (ConfigException unusable) {
        unusable.problems().forEach(r::problem);
      }
    }
    return auth;
  }
}
