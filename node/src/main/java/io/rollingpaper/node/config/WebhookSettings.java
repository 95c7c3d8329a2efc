package io.rollingpaper.node.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how completion webhooks are delivered.
 *
 * @param secret       the HMAC-SHA256 key (at least 32 bytes); never logged
 * @param maxAttempts  attempts before an event is dead-lettered
 * @param maxAge       an event older than this is dead-lettered after its next failure
 * @param pollInterval how often a node looks for due events
 * @param timeout      one POST's limit; a claim's lease is longer than this, so one node POSTs a row at a time
 * @param retryBase    the first retry's delay; doubled per attempt, with jitter
 * @param retryMax     the longest delay between two attempts
 */
public record WebhookSettings(URI url, String secret, int maxAttempts, Duration maxAge, Duration pollInterval,
                              Duration timeout, Duration retryBase, Duration retryMax) {

  /** How long a claim holds a row: the POST's timeout plus room for the answer to be recorded. */
  public Duration lease() {
    return timeout.multipliedBy(2).plusSeconds(5);
  }

  @Override
  public String toString() {
    return "WebhookSettings[url=" + url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + url.getRawPath() + ", secret=***, maxAttempts=" + maxAttempts + ", maxAge=" + maxAge + "]";
  }

  static Optional<WebhookSettings> read(EnvReader r) {
    Optional<String> rawUrl = r.optional("WEBHOOK_URL");
    Optional<String> secret = r.optional("WEBHOOK_SECRET");
    int maxAttempts = r.integer("WEBHOOK_MAX_ATTEMPTS", 15, 1, 1000);
    Duration maxAge = r.duration("WEBHOOK_MAX_AGE", Duration.ofDays(3));
    Duration poll = r.duration("WEBHOOK_POLL_INTERVAL", Duration.ofSeconds(1));
    Duration timeout = r.duration("WEBHOOK_TIMEOUT", Duration.ofSeconds(10));
    Duration retryBase = r.duration("WEBHOOK_RETRY_BASE", Duration.ofSeconds(2));
    Duration retryMax = r.duration("WEBHOOK_RETRY_MAX", Duration.ofMinutes(30));
    if (rawUrl.isEmpty()) {
      if (secret.isPresent()) {
        r.problem("WEBHOOK_SECRET is set but WEBHOOK_URL is not");
      }
      return Optional.empty();
    }
    URI url = null;
    try {
      url = URI.create(rawUrl.get());
      if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
        r.problem("WEBHOOK_URL must be an http:// or https:// URL with a host");
      }
    } catch (IllegalArgumentException e) {
      r.problem("WEBHOOK_URL is not a URL: " + e.getMessage());
    }
    // Fails closed: an unsigned or weakly signed webhook would let anyone forge a completion.
    if (secret.isEmpty()) {
      r.problem("WEBHOOK_URL needs WEBHOOK_SECRET (at least 32 bytes) to sign deliveries");
    } else if (secret.get().getBytes(StandardCharsets.UTF_8).length < 32) {
      r.problem("WEBHOOK_SECRET must be at least 32 bytes");
    }
    if (poll.isZero() || timeout.isZero() || retryBase.isZero()) {
      r.problem("WEBHOOK_POLL_INTERVAL, WEBHOOK_TIMEOUT and WEBHOOK_RETRY_BASE must be positive");
    }
    if (retryMax.compareTo(retryBase) < 0) {
      r.problem("WEBHOOK_RETRY_MAX must be at least WEBHOOK_RETRY_BASE");
    }
    return Optional.of(new WebhookSettings(url, secret.orElse(""), maxAttempts, maxAge, poll, timeout, retryBase,
        retryMax));
  }
}
