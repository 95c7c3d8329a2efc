package io.rollingpaper.node.config;

/**
 * Where the node serves HTTP and WebSockets.
 *
 * @param host the address to bind ({@code HOST})
 * @param port the port ({@code PORT}); 0 takes any free port
 */
public record Listen(String host, int port) {

  static Listen read(EnvReader r) {
    return new Listen(r.string("HOST", "0.0.0.0"), r.integer("PORT", 8080, 0, 65535));
  }
}
