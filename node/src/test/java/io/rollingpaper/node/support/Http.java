package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/** Plain HTTP calls to a node, answering status and body. */
public final class Http {
  private final HttpClient client;
  private final int port;

  public record Reply(int status, String body, Map<String, String> headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public Http(Vertx vertx, int port) {
    this.client = vertx.createHttpClient();
    this.port = port;
  }

  public Future<Reply> get(String uri) {
    return send(HttpMethod.GET, uri, null, Map.of());
  }

  public Future<Reply> post(String uri, String body) {
    return send(HttpMethod.POST, uri, body, Map.of());
  }

  public Future<Reply> delete(String uri) {
    return send(HttpMethod.DELETE, uri, null, Map.of());
  }

  public Future<Reply> send(HttpMethod method, String uri, String body, Map<String, String> headers) {
    // Bounded: a request the node never answers fails with its URI instead of running into the test's timeout.
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setIdleTimeout(15_000);
    headers.forEach(options::addHeader);
    return client.request(options)
        .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
        .compose(response -> response.statusCode() == 101
            // Switching protocols: there is no body to wait for, only WebSocket frames; hang up.
            ? response.request().connection().close().map(new Reply(101, "", Map.of()))
            : response.body().map(bytes -> {
          Map<String, String> h = new java.util.HashMap<>();
          response.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
          return new Reply(response.statusCode(), bytes.toString(), h);
        }));
  }
}
