package io.rollingpaper.protocol;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanner against the tree decoder, its judge: every frame the scanner accepts, the tree decoder accepts
 * and decodes to the same frame (the same pairs, byte for byte); and the frames clients send every edit are the
 * ones it accepts.
 */
class OpFrameScannerTest {
  private static final Limits LIMITS = new Limits(65536, 300, 10, 20, 1000, 6);

  private static final String[] VALUES = {
      "\"plain\"", "\"\"", "\"q\\\"uote\\\\ and \\/ slash\"", "\"tab\\t nl\\n \\u0001 \\u001f \\u007f\"",
      "\"é π 日本 😀\"", "\"\\u00e9\\u03c0\\ud83d\\ude00\"", "\"lone \\ud800 surrogate\"", "\"\\u2028\\u2029\"",
      "0", "-0", "1", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
      "123456789012345678901234567890", "-123456789012345678901234567890", "1.0", "1.50", "-0.0", "0.0", "0e0",
      "-0e-0", "1e5", "1E+5", "1e-7", "1.5E-10", "12345678901234567890.123456789e10", "1e400", "1E-400",
      "0.1000", "1e99999999999", "true", "false", "null", "[]", "{}", "[1,{\"a\":2.50}]", "{\"x\":null}",
  };

  private static final String[] NAMES = {"\"t\"", "\"text\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"π\"", "\"\"", "\"author\"",
      "\"id\"", "\"x y\"", "\"\\n\""};

  @Test
  void acceptsTheFramesOfEveryEdit() {
    for (String frame : List.of(
        "{\"type\":\"op\",\"cid\":\"c1\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"n1\",\"t\":1796011446919,"
            + "\"text\":\"hello\",\"x\":0.25,\"done\":false}}}",
        "{\"op\":{\"note\":{\"id\":\"n1\",\"author\":\"eve\"},\"kind\":\"note.put\"},\"type\":\"op\"}",
        "{\"type\":\"op\",\"cid\":null,\"op\":{\"kind\":\"note.patch\",\"id\":\"n1\",\"fields\":{\"t\":\"x\",\"y\":null}}}",
        " {\"type\" : \"op\", \"op\" : {\"kind\" : \"note.delete\", \"id\" : \"n-1_A\"}} ")) {
      assertThat(OpFrameScanner.scan(frame, LIMITS)).as(frame).isNotNull();
      assertSameAsTree(frame);
    }
  }

  @Test
  void everyValueAndNameDecodesAsTheTreeDoes() {
    for (String value : VALUES) {
      for (String name : NAMES) {
        assertSameAsTree(put("{\"id\":\"n\"," + name + ":" + value + "}"));
        assertSameAsTree(put("{" + name + ":" + value + ",\"id\":\"n\"}"));
        assertSameAsTree(patch("{" + name + ":" + value + "}"));
      }
    }
  }

  @Test
  void refusalsAndOddShapesAreLeftToTheTree() {
    for (String frame : List.of(
        put("{\"id\":\"n\",\"t\":1,\"t\":2}"), put("{\"id\":\"n\",\"id\":\"m\"}"), put("{\"id\":\"bad id\"}"),
        put("{\"id\":7}"), put("{\"t\":1}"), put("{\"id\":\"n\",\"t\":\"" + "x".repeat(300) + "\"}"),
        put("{\"id\":\"n\",\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1}"),
        patch("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":null}"), patch("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1}"),
        patch("{\"id\":\"m\"}"), patch("{\"author\":null}"),
        "{\"type\":\"op\",\"cid\":\"" + "c".repeat(65) + "\",\"op\":{\"kind\":\"note.delete\",\"id\":\"n\"}}",
        "{\"type\":\"op\",\"cid\":7,\"op\":{\"kind\":\"note.delete\",\"id\":\"n\"}}",
        "{\"type\":\"op\",\"type\":\"op\",\"op\":{\"kind\":\"note.delete\",\"id\":\"n\"}}",
        "{\"type\":\"op\",\"op\":{\"kind\":\"note.delete\",\"id\":\"n\"},\"extra\":1}",
        "{\"type\":\"op\",\"op\":{\"kind\":\"note.delete\",\"id\":\"n\",\"note\":{}}}",
        "{\"type\":\"op\",\"op\":{\"kind\":\"note.delete\",\"id\":\"n\"}} {}",
        "{\"type\":\"op\",\"op\":{\"kind\":\"note.delete\",\"id\":\"n\"}",
        "{\"type\":\"signal\",\"data\":{}}", "[]", "", "{\"type\":\"op\"}")) {
      assertSameAsTree(frame);
    }
  }

  /** Jackson reads at most 1,000 digits a number: past that the tree refuses the frame, so the scanner must too. */
  @Test
  void numbersPastTheParsersLimitIsTheTreesToRefuse() {
    Limits roomy = new Limits(65536, 16384, 10, 20, 1000, 6);
    for (int digits : new int[] {999, 1000, 1001, 5000}) {
      String number = "7".repeat(digits);
      for (String value : new String[] {number, "-" + number, "0." + number, number + "e1"}) {
        assertSameAsTree(put("{\"id\":\"n\",\"t\":" + value + "}"), roomy);
      }
    }
    assertThat(OpFrameScanner.scan(put("{\"id\":\"n\",\"t\":" + "7".repeat(999) + "}"), roomy)).isNotNull();
  }

  /** Random frames made of the pieces above, cut and spliced: whatever the scanner accepts, the tree agrees. */
  @Test
  void randomFramesNeverDisagree() {
    Random random = new Random(13);
    int scanned = 0;
    for (int i = 0; i < 20_000; i++) {
      List<String> fields = new ArrayList<>();
      if (random.nextInt(10) > 0) {
        fields.add("\"id\":\"n" + random.nextInt(3) + "\"");
      }
      for (int f = random.nextInt(5); f > 0; f--) {
        fields.add(NAMES[random.nextInt(NAMES.length)] + ":" + VALUES[random.nextInt(VALUES.length)]);
      }
      java.util.Collections.shuffle(fields, random);
      String object = "{" + String.join(",", fields) + "}";
      String frame = random.nextBoolean() ? put(object) : patch(object);
      if (random.nextInt(4) == 0) {
        int at = random.nextInt(frame.length());
        frame = random.nextBoolean() ? frame.substring(0, at) + frame.substring(at + 1)
            : frame.substring(0, at) + "\",:{}[]1e-\\ ".charAt(random.nextInt(12)) + frame.substring(at);
      }
      scanned += assertSameAsTree(frame) ? 1 : 0;
    }
    assertThat(scanned).as("frames the scanner took").isGreaterThan(2_000);
  }

  private static String put(String note) {
    return "{\"type\":\"op\",\"cid\":\"c\",\"op\":{\"kind\":\"note.put\",\"note\":" + note + "}}";
  }

  private static String patch(String fields) {
    return "{\"type\":\"op\",\"op\":{\"kind\":\"note.patch\",\"id\":\"n\",\"fields\":" + fields + "}}";
  }

  private static boolean assertSameAsTree(String frame) {
    return assertSameAsTree(frame, LIMITS);
  }

  /** True if the scanner took the frame; fails if it took one the tree refuses or decodes otherwise. */
  private static boolean assertSameAsTree(String frame, Limits limits) {
    ClientFrame.OpFrame scanned = OpFrameScanner.scan(frame, limits);
    if (scanned == null) {
      return false;
    }
    ClientFrame tree;
    try {
      tree = FrameCodec.decodeTree(frame, limits);
    } catch (ProtocolException refused) {
      throw new AssertionError("the scanner took a frame the tree refuses with " + refused.code() + ": " + frame);
    }
    assertThat(scanned).as(frame).isEqualTo(tree);
    return true;
  }
}
