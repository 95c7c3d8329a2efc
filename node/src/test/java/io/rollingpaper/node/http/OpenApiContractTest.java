package io.rollingpaper.node.http;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real requests to a real node (memory backend, API key on), and every answer — status, headers, body —
 * validated against {@code docs/openapi.yaml} by Vert.x's OpenAPI 3.1 validator: each operation with each
 * error status today's node produces. Unknown {@code /api} routes answer JSON 404/405 (not HTML).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class OpenApiContractTest {
  private static final String KEY = "test-api-key-test-api-key-test-api-key";
  private static final Map<String, String> AUTHORIZED = Map.of("Authorization", "Bearer " + KEY);
  private static final Path DOCUMENT = Path.of("..", "docs", "openapi.yaml").toAbsolutePath().normalize();

  TestNode node;
  Http http;
  OpenAPIContract contract;
  ResponseValidator validator;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(Map.of("API_KEY", KEY, "MAX_NOTES_PER_PAPER", "2", "MAX_FRAME_BYTES", "4096",
            "MAX_NOTE_BYTES", "1024"))
        .compose(started -> {
          node = started;
          http = new Http(vertx, node.port());
          return OpenAPIContract.from(vertx, DOCUMENT.toString());
        })
        .onComplete(ctx.succeeding(loaded -> {
          contract = loaded;
          validator = ResponseValidator.create(vertx, contract);
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void everyPaperOperationAndItsErrorsAnswerAsDocumented(VertxTestContext ctx) {
    String ops = "/api/papers/doc/ops";
    check(HttpMethod.GET, "/api/papers/doc", null, Map.of(), 401, "unauthorized")
        .compose(v -> check(HttpMethod.GET, "/api/papers/bad.id", null, AUTHORIZED, 400, "bad_frame"))
        .compose(v -> check(HttpMethod.GET, "/api/papers/doc", null, AUTHORIZED, 404, "not_found"))
        .compose(v -> check(HttpMethod.POST, ops, put("n1", "hello"), AUTHORIZED, 200, null))
        .compose(v -> check(HttpMethod.POST, ops, "{\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"n2\"}},\"by\":\"ann\"}",
            AUTHORIZED, 200, null))
        .compose(v -> check(HttpMethod.POST, ops, put("n3", "one too many"), AUTHORIZED, 409, "paper_full"))
        .compose(v -> check(HttpMethod.POST, ops, "not json", AUTHORIZED, 400, "bad_frame"))
        .compose(v -> check(HttpMethod.POST, ops, "{\"op\":{\"kind\":\"note.fold\",\"id\":\"n1\"}}", AUTHORIZED, 400,
            "bad_op"))
        .compose(v -> check(HttpMethod.POST, ops, "{\"op\":{\"kind\":\"note.delete\",\"id\":\"nope\"}}", AUTHORIZED,
            404, "not_found"))
        .compose(v -> check(HttpMethod.POST, ops, put("n1", "y".repeat(2000)), AUTHORIZED, 413, "too_large"))
        .compose(v -> check(HttpMethod.POST, ops, put("n1", "z".repeat(5000)), AUTHORIZED, 413, "too_large"))
        .compose(v -> check(HttpMethod.POST, ops, put("n1", "hi"), Map.of(), 401, "unauthorized"))
        .compose(v -> check(HttpMethod.GET, "/api/papers/doc", null, AUTHORIZED, 200, null))
        .compose(v -> check(HttpMethod.POST, "/api/papers/doc/complete", null, AUTHORIZED, 200, null))
        .compose(v -> check(HttpMethod.POST, "/api/papers/doc/complete", null, AUTHORIZED, 200, null))
        .compose(v -> check(HttpMethod.POST, ops, put("n1", "late"), AUTHORIZED, 409, "paper_completed"))
        .compose(v -> check(HttpMethod.POST, "/api/papers/none/complete", null, AUTHORIZED, 404, "not_found"))
        .compose(v -> check(HttpMethod.POST, "/api/papers/bad.id/complete", null, AUTHORIZED, 400, "bad_frame"))
        .compose(v -> check(HttpMethod.POST, "/api/papers/doc/complete", null, Map.of(), 401, "unauthorized"))
        .compose(v -> check(HttpMethod.DELETE, "/api/papers/doc", null, Map.of(), 401, "unauthorized"))
        .compose(v -> check(HttpMethod.DELETE, "/api/papers/doc", null, AUTHORIZED, 204, null))
        .compose(v -> check(HttpMethod.DELETE, "/api/papers/doc", null, AUTHORIZED, 404, "not_found"))
        .compose(v -> check(HttpMethod.DELETE, "/api/papers/bad.id", null, AUTHORIZED, 400, "bad_frame"))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void healthAndMetricsAnswerAsDocumented(VertxTestContext ctx) {
    check(HttpMethod.GET, "/health/live", null, Map.of(), 200, null)
        .compose(v -> check(HttpMethod.GET, "/health/ready", null, Map.of(), 200, null))
        .compose(v -> check(HttpMethod.GET, "/metrics", null, Map.of(), 200, null))
        .compose(v -> node.node().drain())
        .compose(v -> check(HttpMethod.GET, "/health/ready", null, Map.of(), 503, null))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void createAnswersThePaperThenConflictsAndRecreatesAfterADelete(VertxTestContext ctx) {
    check(HttpMethod.PUT, "/api/papers/made", null, AUTHORIZED, 201, null)
        .compose(v -> check(HttpMethod.PUT, "/api/papers/made", null, AUTHORIZED, 409, null))
        .compose(v -> check(HttpMethod.PUT, "/api/papers/made", null, Map.of(), 401, "unauthorized"))
        .compose(v -> check(HttpMethod.PUT, "/api/papers/bad.id", null, AUTHORIZED, 400, "bad_frame"))
        .compose(v -> check(HttpMethod.DELETE, "/api/papers/made", null, AUTHORIZED, 204, null))
        .compose(v -> check(HttpMethod.PUT, "/api/papers/made", null, AUTHORIZED, 201, null))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void unknownApiRoutesAnswerJsonNotFoundAndWrongMethodsJsonMethodNotAllowed(VertxTestContext ctx) {
    http.send(HttpMethod.GET, "/api/nothing/here", null, AUTHORIZED)
        .compose(reply -> {
          assertError(reply, 404, "not_found");
          return http.send(HttpMethod.PATCH, "/api/papers/doc", null, AUTHORIZED);
        })
        .compose(reply -> {
          assertError(reply, 405, "method_not_allowed");
          assertThat(reply.headers().get("allow")).contains("DELETE", "GET", "PUT").doesNotContain("PATCH");
          return http.send(HttpMethod.GET, "/api/papers/doc/ops", null, AUTHORIZED);
        })
        .compose(reply -> {
          assertError(reply, 405, "method_not_allowed");
          assertThat(reply.headers().get("allow")).isEqualTo("POST");
          // The API key is checked first, as for every /api request: nothing about the routes leaks.
          return http.send(HttpMethod.GET, "/api/nothing/here", null, Map.of());
        })
        .compose(reply -> {
          assertError(reply, 401, "unauthorized");
          return http.send(HttpMethod.POST, "/metrics", "", Map.of());
        })
        .compose(reply -> {
          assertError(reply, 405, "method_not_allowed");
          return http.get("/no-such-page");
        })
        .onComplete(ctx.succeeding(page -> ctx.verify(() -> {
          assertThat(page.status()).as("a page for people stays a page").isEqualTo(404);
          assertThat(page.headers().get("content-type")).startsWith("text/html");
          ctx.completeNow();
        })));
  }

  /** Sends the request, checks its status and error code, and validates the whole answer against its operation. */
  private Future<Void> check(HttpMethod method, String uri, String body, Map<String, String> headers, int status,
                             String code) {
    Map<String, String> all = new HashMap<>(headers);
    if (body != null) {
      all.put("Content-Type", "application/json");
    }
    Operation operation = contract.findOperation(uri, method);
    assertThat(operation).as("%s %s is in the document", method, uri).isNotNull();
    return http.send(method, uri, body, all).compose(reply -> {
      assertThat(reply.status()).as("%s %s: %s", method, uri, reply.body()).isEqualTo(status);
      if (code != null) {
        assertThat(reply.json().getString("code")).as("%s %s", method, uri).isEqualTo(code);
      }
      String contentType = reply.headers().get("content-type");
      if (contentType != null && contentType.startsWith("text/plain")) {
        // The validator reads JSON bodies only: for the Prometheus text, the status and its media type.
        assertThat(operation.getResponse(reply.status())).as("%s %s %d documented", method, uri, reply.status())
            .isNotNull();
        assertThat(operation.getResponse(reply.status()).getContent()).containsKey("text/plain");
        return Future.succeededFuture();
      }
      ValidatableResponse response = reply.body().isEmpty() && contentType == null
          ? ValidatableResponse.create(reply.status(), reply.headers())
          : ValidatableResponse.create(reply.status(), reply.headers(), Buffer.buffer(reply.body()), contentType);
      return validator.validate(response, operation.getOperationId())
          .recover(error -> Future.failedFuture(new AssertionError(method + " " + uri + " answered " + reply.status()
              + " " + reply.headers() + " " + reply.body() + ", which the document does not allow: "
              + error.getMessage(), error)))
          .mapEmpty();
    });
  }

  /** An answer outside every operation: a JSON body valid against the document's Error schema. */
  private void assertError(Http.Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.headers().get("content-type")).isEqualTo("application/json");
    JsonObject schema = contract.getRawContract().getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("Error");
    OutputUnit result = Validator.create(JsonSchema.of(schema),
        new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app:///")).validate(reply.json());
    assertThat(result.getValid()).as("%s against Error: %s", reply.body(), result.getErrors()).isTrue();
    assertThat(reply.json().getString("code")).isEqualTo(code);
  }

  private static String put(String id, String text) {
    return new JsonObject().put("op", new JsonObject().put("kind", "note.put")
        .put("note", new JsonObject().put("id", id).put("text", text))).encode();
  }
}
