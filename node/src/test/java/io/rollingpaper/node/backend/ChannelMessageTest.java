package io.rollingpaper.node.backend;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The channel wire format, as the Lua scripts publish it: parsed once, malformed input refused. */
class ChannelMessageTest {

  private static ChannelMessage parse(String raw) {
    return ChannelMessage.parse(Buffer.buffer(raw));
  }

  @Test
  void aDeltaCarriesItsEpochSeqAndFrameAsPublished() {
    ChannelMessage message = parse("D e1 42 {\"type\":\"delta\",\"seq\":42}");
    assertThat(message).isEqualTo(new ChannelMessage.Delta("e1", 42, Buffer.buffer("{\"type\":\"delta\",\"seq\":42}")));
  }

  @Test
  void aCompletionCarriesItsEpochAndSeq() {
    assertThat(parse("C e1 7 {\"type\":\"completed\"}"))
        .isEqualTo(new ChannelMessage.Completed("e1", 7, Buffer.buffer("{\"type\":\"completed\"}")));
  }

  @Test
  void aDeletionCarriesOnlyItsEpoch() {
    assertThat(parse("X e1")).isEqualTo(new ChannelMessage.Deleted("e1"));
  }

  @Test
  void presenceCarriesItsVersion() {
    assertThat(parse("P 3 {\"type\":\"presence\"}"))
        .isEqualTo(new ChannelMessage.Presence(3, Buffer.buffer("{\"type\":\"presence\"}")));
  }

  @Test
  void aSignalCarriesItsSenderSession() {
    assertThat(parse("S sess-1 {\"type\":\"signal\"}"))
        .isEqualTo(new ChannelMessage.Signal("sess-1", "{\"type\":\"signal\"}"));
  }

  @Test
  void aFrameWithSpacesIsKeptWhole() {
    String frame = "{\"type\":\"delta\", \"op\": {\"text\": \"a b  c \"}} ";
    ChannelMessage.Delta delta = (ChannelMessage.Delta) parse("D e1 5 " + frame);
    assertThat(delta.frame().toString()).isEqualTo(frame);
    ChannelMessage.Signal signal = (ChannelMessage.Signal) parse("S s1 " + frame);
    assertThat(signal.frame().toString()).isEqualTo(frame);
  }

  @Test
  void anEmptyFrameIsAFrame() {
    assertThat(parse("D e1 5 ")).isEqualTo(new ChannelMessage.Delta("e1", 5, Buffer.buffer()));
  }

  @Test
  void theFrameIsASliceOfTheReceivedBufferNotACopy() {
    Buffer raw = Buffer.buffer("P 1 {}");
    ChannelMessage.Presence presence = (ChannelMessage.Presence) ChannelMessage.parse(raw);
    raw.setByte(4, (byte) '[');
    assertThat(presence.frame().toString()).isEqualTo("[}");
  }

  @Test
  void aDeletionIgnoresWhatFollowsItsEpoch() {
    assertThat(parse("X e1 trailing")).isEqualTo(new ChannelMessage.Deleted("e1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",              // empty
      "D",             // a kind alone
      "D ",            // nothing after the kind
      "De1 5 {}",      // no space after the kind
      "Q e1 5 {}",     // unknown kind
      "d e1 5 {}",     // kinds are upper case
      "D e1",          // no seq
      "D e1 5",        // no frame separator
      "D e1 five {}",  // non-numeric seq
      "D e1 5x {}",    // seq with trailing garbage
      "D e1  {}",      // empty seq
      "D  5 {}",       // empty epoch
      "C e1 {}",       // completion without seq
      "C e1 seven {}", // non-numeric completion seq
      "X ",            // deletion without epoch
      "X  e1",         // deletion with an empty epoch
      "P 3",           // presence without frame
      "P three {}",    // non-numeric presence version
      "P  {}",         // empty presence version
      "S sess-1",      // signal without frame
      "S  {}",         // signal with an empty sender
  })
  void malformedInputIsRefused(String raw) {
    assertThat(parse(raw)).as("'%s'", raw).isNull();
  }

  @Test
  void whatJavaEncodesParsesBackToTheSameMessage() {
    Buffer frame = Buffer.buffer("{\"type\":\"x\", \"t\":\"a b\"}");
    for (ChannelMessage message : new ChannelMessage[] {
        new ChannelMessage.Delta("e1", 9, frame),
        new ChannelMessage.Completed("e1", 9, frame),
        new ChannelMessage.Deleted("e1"),
        new ChannelMessage.Presence(4, frame),
        new ChannelMessage.Signal("sess-1", frame)}) {
      assertThat(ChannelMessage.parse(message.encode())).isEqualTo(message);
    }
  }

  @Test
  void aSignalIsEncodedAsTheScriptsWouldPublishIt() {
    assertThat(new ChannelMessage.Signal("sess-1", "{\"type\":\"signal\"}").encode().toString())
        .isEqualTo("S sess-1 {\"type\":\"signal\"}");
    assertThat(new ChannelMessage.Delta("e1", 42, Buffer.buffer("{}")).encode().toString()).isEqualTo("D e1 42 {}");
    assertThat(new ChannelMessage.Deleted("e1").encode().toString()).isEqualTo("X e1");
  }
}
