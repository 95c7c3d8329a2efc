package io.rollingpaper.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameCodecTest {
  private static final Limits LIMITS = new Limits(65536, 100, 10, 20, 1000);

  private static ProtocolException refusal(String frame) {
    try {
      FrameCodec.decodeClientFrame(frame, LIMITS);
    } catch (ProtocolException e) {
      return e;
    }
    throw new AssertionError("accepted: " + frame);
  }

  @Test
  void decodesOpsAndDropsAClientsAuthor() {
    ClientFrame frame = FrameCodec.decodeClientFrame(
        "{\"type\":\"op\",\"cid\":\"7\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"n\",\"author\":\"eve\",\"t\":1}}}", LIMITS);
    ClientFrame.OpFrame op = (ClientFrame.OpFrame) frame;
    assertThat(op.cid()).isEqualTo("7");
    assertThat(((Op.Put) op.op()).pairs()).containsExactly("\"id\"", "\"n\"", "\"t\"", "1");
    assertThat(op.op().noteId()).isEqualTo("n");
  }

  @Test
  void badFrameComesBeforeEverythingAndCarriesNoCid() {
    assertThat(refusal("{").code()).isEqualTo(ErrorCode.BAD_FRAME);
    assertThat(refusal("{} {}").code()).as("trailing tokens").isEqualTo(ErrorCode.BAD_FRAME);
    assertThat(refusal("{\"type\":1}").code()).isEqualTo(ErrorCode.BAD_FRAME);
    ProtocolException badCid = refusal("{\"type\":\"op\",\"cid\":[],\"op\":{\"kind\":\"x\"}}");
    assertThat(badCid.code()).isEqualTo(ErrorCode.BAD_FRAME);
    assertThat(badCid.cid()).isNull();
  }

  @Test
  void numbersNoDecoderCanHoldAreBadFrameNotAnError() {
    for (String number : new String[] {"1e99999999999", "1e-2147483649", "-0.0e-2147483648"}) {
      assertThat(refusal("{\"type\":\"signal\",\"data\":" + number + "}").code()).as(number)
          .isEqualTo(ErrorCode.BAD_FRAME);
    }
  }

  @Test
  void anIgnoredAuthorDoesNotCountTowardsTheNotesSize() {
    ClientFrame.OpFrame frame = (ClientFrame.OpFrame) FrameCodec.decodeClientFrame(
        "{\"type\":\"op\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"n\",\"author\":\"" + "a".repeat(500)
            + "\"}}}", LIMITS);
    assertThat(((Op.Put) frame.op()).pairs()).containsExactly("\"id\"", "\"n\"");
  }

  @Test
  void tooLargeComesBeforeBadOp() {
    String big = "x".repeat(200);
    ProtocolException e = refusal("{\"type\":\"op\",\"cid\":\"c\",\"op\":{\"kind\":\"nonsense\",\"note\":{\"t\":\"" + big + "\"}}}");
    assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(e.cid()).isEqualTo("c");
    assertThat(refusal("{\"type\":\"signal\",\"data\":\"" + big + "\"}").code()).isEqualTo(ErrorCode.TOO_LARGE);
  }

  @Test
  void invalidOpsAreBadOp() {
    for (String op : List.of("5", "{}", "{\"kind\":\"note.put\",\"note\":{}}", "{\"kind\":\"note.put\",\"note\":{\"id\":\"\"}}",
        "{\"kind\":\"note.put\",\"note\":{\"id\":\"" + "a".repeat(65) + "\"}}", "{\"kind\":\"note.patch\",\"id\":\"a\"}",
        "{\"kind\":\"note.patch\",\"id\":\"a\",\"fields\":{\"author\":null}}", "{\"kind\":\"note.delete\",\"id\":7}")) {
      assertThat(refusal("{\"type\":\"op\",\"op\":" + op + "}").code()).as(op).isEqualTo(ErrorCode.BAD_OP);
    }
  }

  @Test
  void numbersAndEmptyContainersSurviveExactly() {
    ClientFrame.OpFrame frame = (ClientFrame.OpFrame) FrameCodec.decodeClientFrame(
        "{\"type\":\"op\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"n\",\"a\":123456789012345678901234567890,"
            + "\"b\":1.50,\"c\":[],\"d\":{}}}}", new Limits(65536, 16384, 10, 1024, 10));
    assertThat(FrameCodec.opJson(frame.op())).contains("123456789012345678901234567890", "1.50", "\"c\":[]", "\"d\":{}");
  }

  @Test
  void noteSizeIsTheSumOfItsFieldsAsSerialized() {
    List<String> pairs = List.of("\"id\"", "\"n\"", "\"t\"", "\"hé\"");
    String json = NoteFields.toJson(pairs);
    assertThat(json).isEqualTo("{\"id\":\"n\",\"t\":\"hé\"}");
    assertThat(NoteFields.noteBytes(pairs)).isEqualTo(json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }

  @Test
  void errorCodesAreDeclaredInPrecedenceOrderWithTheirStatuses() {
    assertThat(ErrorCode.values()).extracting(ErrorCode::wire).containsSubsequence("bad_frame", "too_large", "bad_op",
        "forbidden", "paper_completed", "rate_limited", "not_found", "paper_full", "unavailable");
    assertThat(ErrorCode.PAPER_FULL.httpStatus()).isEqualTo(409);
    assertThat(ErrorCode.TOO_LARGE.httpStatus()).isEqualTo(413);
    assertThatThrownBy(() -> ErrorCode.fromWire("nope")).isInstanceOf(IllegalArgumentException.class);
  }
}
