package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Plain HTTP calls to a node, answering status and body. Each call has a connection of its own (no keep-alive):
 * a pooled connection reused right after the node answered on it left a request waiting for ever at times
 * (Vert.x 5.0.7; an OpenApiContractTest hang with every thread idle, and "Pool closed" once), and a test
 * asks one thing per request. Every call is bounded by {@link #DEADLINE_MS}.
 *
 * <p>A GET that has no answer after {@link #RETRY_AFTER_MS} is asked once more, on a client of its own. Under
 * the full suite's load the client's request sometimes never left: not even its idle timeout started (a
 * BadInputTest run ended "no answer within 20000 ms" while the node went on answering). A node that really does
 * not answer fails the retry too, so the test still fails; the retry is printed either way.
 */
public final class Http {
  /** Well inside the tests' own timeouts, so a call the node never answers fails naming its URI. */
  private static final long DEADLINE_MS = 20_000;
  private static final long RETRY_AFTER_MS = 8_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final int port;

  public record Reply(int status, String body, Map<String, String> headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public Http(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
    this.client = newClient();
  }

  private HttpClient newClient() {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout((int) DEADLINE_MS));
  }

  public Future<Reply> get(String uri) {
    return bounded(client, HttpMethod.GET, uri, null, Map.of(), RETRY_AFTER_MS).recover(first -> {
      if (!(first instanceof NoAnswer)) {
        return Future.failedFuture(first);
      }
      System.err.println("Http: GET " + uri + " had no answer within " + RETRY_AFTER_MS + " ms; asking again on a new client");
      HttpClient fresh = newClient();
      return bounded(fresh, HttpMethod.GET, uri, null, Map.of(), DEADLINE_MS - RETRY_AFTER_MS)
          .onComplete(ignored -> fresh.close());
    });
  }

  public Future<Reply> post(String uri, String body) {
    return send(HttpMethod.POST, uri, body, Map.of());
  }

  public Future<Reply> delete(String uri) {
    return send(HttpMethod.DELETE, uri, null, Map.of());
  }

  public Future<Reply> send(HttpMethod method, String uri, String body, Map<String, String> headers) {
    return bounded(client, method, uri, body, headers, DEADLINE_MS);
  }

  private Future<Reply> bounded(HttpClient client, HttpMethod method, String uri, String body,
                                Map<String, String> headers, long deadlineMs) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setIdleTimeout(15_000);
    headers.forEach(options::addHeader);
    Future<Reply> reply = client.request(options)
        .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
        .compose(response -> response.statusCode() == 101
            // Switching protocols: there is no body to wait for, only WebSocket frames; hang up.
            ? response.request().connection().close().map(new Reply(101, "", Map.of()))
            : response.body().map(bytes -> {
          Map<String, String> h = new java.util.HashMap<>();
          response.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
          return new Reply(response.statusCode(), bytes.toString(), h);
        }));
    return deadline(reply, method + " " + uri, deadlineMs);
  }

  private <T> Future<T> deadline(Future<T> call, String what, long deadlineMs) {
    Promise<T> bounded = Promise.promise();
    long timer = vertx.setTimer(deadlineMs, t -> bounded.tryFail(
        new NoAnswer(what + ": no answer within " + deadlineMs + " ms")));
    call.onComplete(result -> {
      vertx.cancelTimer(timer);
      if (result.succeeded()) {
        bounded.tryComplete(result.result());
      } else {
        bounded.tryFail(result.cause());
      }
    });
    return bounded.future();
  }

  /** The call had no answer within its deadline. */
  private static final class NoAnswer extends IllegalStateException {
    NoAnswer(String message) {
      super(message);
    }
  }
}
