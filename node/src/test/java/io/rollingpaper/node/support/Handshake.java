package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a node answered one WebSocket handshake: an HTTP status before the upgrade, a socket admitted
 * (its first frame a snapshot or resumed), or a socket refused in-band (an error frame, then a close
 * code). The socket is closed once the answer is known; the test's timeout bounds the wait.
 */
public record Handshake(int status, List<JsonObject> frames, Short closeCode) {

  public static Future<Handshake> attempt(Vertx vertx, int port, String uri) {
    return attempt(vertx, port, uri, Map.of());
  }

  public static Future<Handshake> attempt(Vertx vertx, int port, String uri, Map<String, String> headers) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    headers.forEach(options::addHeader);
    Promise<Handshake> answer = Promise.promise();
    // The handlers go on before the connect: see TestClient's constructor (a frame read before a late handler is dropped).
    ClientWebSocket socket = client.webSocket();
    List<JsonObject> frames = new ArrayList<>();
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      frames.add(frame);
      if (!"error".equals(frame.getString("type"))) {
        answer.tryComplete(new Handshake(101, List.copyOf(frames), null));
        socket.close();
      }
    });
    socket.closeHandler(ignored -> answer.tryComplete(new Handshake(101, List.copyOf(frames), socket.closeStatusCode())));
    socket.connect(options).onFailure(error -> {
      if (error instanceof UpgradeRejectedException rejected) {
        answer.tryComplete(new Handshake(rejected.getStatus(), List.of(), null));
      } else {
        answer.tryFail(error);
      }
    });
    return answer.future().eventually(client::close);
  }

  /** The socket was opened and got its first frame. */
  public boolean admitted() {
    return status == 101 && closeCode == null && !frames.isEmpty();
  }

  /** The code of the in-band refusal's error frame, or null. */
  public String errorCode() {
    return frames.isEmpty() || !"error".equals(frames.get(0).getString("type")) ? null : frames.get(0).getString("code");
  }

  /** "4401 unauthorized", "101 admitted" or "403 (HTTP)": one string a test can compare and read. */
  public String outcome() {
    if (admitted()) {
      return "admitted";
    }
    if (status != 101) {
      return status + " (HTTP)";
    }
    return closeCode + " " + errorCode();
  }
}
