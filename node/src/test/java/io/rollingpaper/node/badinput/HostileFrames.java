package io.rollingpaper.node.badinput;

import io.rollingpaper.node.support.RawWebSocket;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

/**
 * A seeded generator of malformed and hostile WebSocket frames, already encoded for {@link RawWebSocket}: the
 * same seed gives the same frames, byte for byte (but the masks, which the node removes). Frames come in
 * batches, one batch per connection: up to {@link #MAX_BATCH} frames the node answers and keeps the connection
 * open for (or closes with 1008 once ten were refused), then perhaps one that ends the connection (RSV1,
 * deflate bomb, invalid UTF-8, oversize, reserved opcode, stray continuation, oversized ping), then the
 * client's own close frame, so every connection ends promptly.
 */
final class HostileFrames {
  /** One frame: what kind of hostility it is, its bytes on the wire, and whether the node must end the connection. */
  record Frame(String kind, Buffer wire, boolean ending) {
  }

  static final int MAX_BATCH = 14;
  private static final String[] SEEDED = Corpus.SEEDED.toArray(new String[0]);
  private static final String[] JSON_NOISE = {"{", "}", "[", "]", "\"", ":", ",", "\\", "0", "-", "e", "null",
      "true", " ", "\\u0000", "1e999", "\"type\"", "\"op\""};

  private final SplittableRandom random;
  private final int maxFrameBytes;
  /** Deflated payloads built once: 32 MiB of spaces (about 32 KiB), 1 MiB of zeros, a small signal. */
  private final List<byte[]> deflated;

  HostileFrames(long seed, int maxFrameBytes) {
    this.random = new SplittableRandom(seed);
    this.maxFrameBytes = maxFrameBytes;
    this.deflated = List.of(deflate(new byte[32 * 1024 * 1024], (byte) ' '), deflate(new byte[1024 * 1024], (byte) 0),
        deflate("{\"type\":\"signal\",\"data\":1}".getBytes(StandardCharsets.US_ASCII), null));
  }

  /** Batches holding at least {@code frames} frames in all. */
  List<List<Frame>> batches(int frames) {
    List<List<Frame>> batches = new ArrayList<>();
    int total = 0;
    while (total < frames) {
      List<Frame> batch = new ArrayList<>();
      int answered = 1 + random.nextInt(MAX_BATCH);
      for (int i = 0; i < answered; i++) {
        batch.add(answered());
      }
      if (random.nextInt(4) == 0) {
        batch.add(ending());
      }
      total += batch.size();
      batches.add(batch);
    }
    return batches;
  }

  // ---- frames the node answers (an error, or nothing) and stays connected for ----------------------------

  private Frame answered() {
    int pick = random.nextInt(100);
    if (pick < 14) {
      return text("truncated-json", truncate(validFrame()));
    } else if (pick < 28) {
      return text("type-confusion", typeConfusion());
    } else if (pick < 36) {
      return text("deep-nesting", deepNesting());
    } else if (pick < 46) {
      return text("huge-number", hugeNumber());
    } else if (pick < 49) {
      return text("wide-note", wideNote(2_500 + random.nextInt(1_000)));
    } else if (pick < 57) {
      return binary();
    } else if (pick < 67) {
      return text("viewer-write", validFrame());
    } else if (pick < 79) {
      return text("mutated", mutate(validFrame()));
    } else if (pick < 85) {
      return text("noise", noise());
    } else if (pick < 91) {
      return fragmented();
    } else if (pick < 95) {
      return text("odd-type", oddType());
    } else {
      byte[] payload = new byte[random.nextInt(126)];
      random.nextBytes(payload);
      return new Frame("ping", RawWebSocket.encode(true, false, RawWebSocket.PING, payload), false);
    }
  }

  /** A well-formed frame a writer could send: from a viewer it is refused ({@code forbidden}) and changes nothing. */
  private String validFrame() {
    String id = random.nextInt(3) == 0 ? "n" + random.nextInt(1000) : SEEDED[random.nextInt(SEEDED.length)];
    String cid = "\"f" + random.nextInt(1_000_000) + "\"";
    return switch (random.nextInt(5)) {
      case 0 -> "{\"type\":\"op\",\"cid\":" + cid + ",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"" + id
          + "\",\"text\":\"x\",\"n\":" + random.nextInt() + "}}}";
      case 1 -> "{\"type\":\"op\",\"cid\":" + cid + ",\"op\":{\"kind\":\"note.patch\",\"id\":\"" + id
          + "\",\"fields\":{\"text\":\"y\",\"x\":null}}}";
      case 2 -> "{\"type\":\"op\",\"cid\":" + cid + ",\"op\":{\"kind\":\"note.delete\",\"id\":\"" + id + "\"}}";
      case 3 -> "{\"type\":\"signal\",\"data\":{\"cursor\":[" + random.nextInt(1000) + "," + random.nextInt(1000) + "]}}";
      default -> "{\"type\":\"op\",\"cid\":" + cid + ",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"" + id
          + "\",\"nested\":{\"a\":[1,2,{\"b\":\"c\"}]},\"author\":\"mallory\"}}}";
    };
  }

  private String truncate(String json) {
    return json.substring(0, random.nextInt(json.length()));
  }

  private String typeConfusion() {
    String odd = oddValue();
    return switch (random.nextInt(8)) {
      case 0 -> "{\"type\":" + odd + ",\"cid\":\"t\",\"op\":{\"kind\":\"note.delete\",\"id\":\"a\"}}";
      case 1 -> "{\"type\":\"op\",\"cid\":" + odd + ",\"op\":{\"kind\":\"note.delete\",\"id\":\"a\"}}";
      case 2 -> "{\"type\":\"op\",\"cid\":\"t\",\"op\":" + odd + "}";
      case 3 -> "{\"type\":\"op\",\"cid\":\"t\",\"op\":{\"kind\":" + odd + ",\"id\":\"a\"}}";
      case 4 -> "{\"type\":\"op\",\"cid\":\"t\",\"op\":{\"kind\":\"note.delete\",\"id\":" + odd + "}}";
      case 5 -> "{\"type\":\"op\",\"cid\":\"t\",\"op\":{\"kind\":\"note.put\",\"note\":" + odd + "}}";
      case 6 -> "{\"type\":\"op\",\"cid\":\"t\",\"op\":{\"kind\":\"note.patch\",\"id\":\"b\",\"fields\":" + odd + "}}";
      default -> "{\"type\":\"signal\",\"data\":" + odd + ",\"type\":" + odd + "}";
    };
  }

  private String oddValue() {
    return switch (random.nextInt(10)) {
      case 0 -> "null";
      case 1 -> Integer.toString(random.nextInt());
      case 2 -> "[\"op\",1]";
      case 3 -> "{\"kind\":{\"kind\":\"note.put\"}}";
      case 4 -> random.nextBoolean() ? "true" : "false";
      case 5 -> "\"" + "x".repeat(random.nextInt(200)) + "\"";
      case 6 -> "\"\"";
      case 7 -> "-0.0";
      case 8 -> "\"\\u0000\\ud800\"";
      default -> "[[[[]]]]";
    };
  }

  private String deepNesting() {
    boolean closed = random.nextBoolean();
    String open;
    String close;
    switch (random.nextInt(3)) {
      case 0 -> {
        open = "[";
        close = "]";
      }
      case 1 -> {
        open = "{\"a\":";
        close = "}";
      }
      default -> {
        open = "[{\"x\":";
        close = "}]";
      }
    }
    // Deep, but under the frame limit: an oversized frame would be refused for its size, not its depth.
    int depth = 64 + random.nextInt(Math.max(1, (maxFrameBytes - 256) / (open.length() + close.length()) - 64));
    String inner = open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "");
    return switch (random.nextInt(3)) {
      case 0 -> inner;
      case 1 -> "{\"type\":\"signal\",\"data\":" + inner + "}";
      default -> "{\"type\":\"op\",\"cid\":\"d\",\"op\":{\"kind\":\"note.patch\",\"id\":\"a\",\"fields\":{\"t\":" + inner + "}}}";
    };
  }

  private String hugeNumber() {
    String digits = "9".repeat(1 + random.nextInt(5_000));
    String number = switch (random.nextInt(7)) {
      case 0 -> digits;
      case 1 -> "-" + digits;
      case 2 -> "1e" + digits;
      case 3 -> "1e-" + digits;
      case 4 -> "0." + digits + "e99999999999";
      case 5 -> "18446744073709551616";
      default -> digits + "." + digits;
    };
    return switch (random.nextInt(5)) {
      case 0 -> "{\"type\":\"op\",\"cid\":" + number + ",\"op\":{\"kind\":\"note.delete\",\"id\":\"a\"}}";
      case 1 -> "{\"type\":\"signal\",\"data\":" + number + "}";
      case 2 -> "{\"type\":\"op\",\"cid\":\"h\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"a\",\"x\":" + number + "}}}";
      case 3 -> "{\"type\":\"resume\",\"epoch\":\"e\",\"seq\":" + number + "}";
      default -> "{\"type\":\"op\",\"cid\":\"h\",\"op\":{\"kind\":\"note.patch\",\"id\":\"b\",\"fields\":{\"x\":" + number + "}}}";
    };
  }

  private String wideNote(int fields) {
    StringBuilder note = new StringBuilder("{\"type\":\"op\",\"cid\":\"w\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"")
        .append(SEEDED[random.nextInt(SEEDED.length)]).append('"');
    for (int i = 0; i < fields; i++) {
      note.append(",\"f").append(i).append("\":").append(i);
    }
    return note.append("}}}").toString();
  }

  private Frame binary() {
    byte[] payload;
    if (random.nextBoolean()) {
      payload = validFrame().getBytes(StandardCharsets.UTF_8);
    } else {
      payload = new byte[random.nextInt(2_048)];
      random.nextBytes(payload);
    }
    return new Frame("binary", RawWebSocket.encode(true, false, RawWebSocket.BINARY, payload), false);
  }

  /** A valid frame with some characters replaced by JSON punctuation (ASCII, so still UTF-8). */
  private String mutate(String json) {
    StringBuilder out = new StringBuilder(json);
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = random.nextInt(out.length());
      String noise = JSON_NOISE[random.nextInt(JSON_NOISE.length)];
      switch (random.nextInt(3)) {
        case 0 -> out.replace(at, at + 1, noise);
        case 1 -> out.insert(at, noise);
        default -> out.deleteCharAt(at);
      }
      if (out.isEmpty()) {
        out.append(noise);
      }
    }
    return out.toString();
  }

  private String noise() {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(300);
    for (int i = 0; i < length; i++) {
      out.append(random.nextBoolean() ? JSON_NOISE[random.nextInt(JSON_NOISE.length)] : (char) (0x20 + random.nextInt(0x5F)));
    }
    return out.toString();
  }

  private String oddType() {
    return switch (random.nextInt(6)) {
      case 0 -> "{\"type\":\"snapshot\",\"notes\":[],\"seq\":0}";
      case 1 -> "{\"type\":\"delta\",\"seq\":999999,\"op\":{\"kind\":\"note.delete\",\"id\":\"a\"}}";
      case 2 -> "{\"type\":\"join\",\"paper\":\"other\"}";
      case 3 -> "{\"type\":\"resume\",\"epoch\":\"x\",\"seq\":0}";
      case 4 -> "{\"type\":\"__proto__\",\"__proto__\":{\"admin\":true}}";
      default -> "{\"type\":\"op\",\"cid\":\"o\",\"op\":{\"kind\":\"paper.delete\"}}";
    };
  }

  /** A text message in two or three fragments, split between ASCII characters (so it stays UTF-8). */
  private Frame fragmented() {
    byte[] bytes = (random.nextBoolean() ? validFrame() : truncate(validFrame()) + "}").getBytes(StandardCharsets.UTF_8);
    int cut = random.nextInt(bytes.length + 1);
    Buffer wire = RawWebSocket.encode(false, false, RawWebSocket.TEXT, java.util.Arrays.copyOf(bytes, cut))
        .appendBuffer(RawWebSocket.encode(true, false, RawWebSocket.CONTINUATION,
            java.util.Arrays.copyOfRange(bytes, cut, bytes.length)));
    return new Frame("fragmented", wire, false);
  }

  // ---- frames that end the connection ------------------------------------------------------------------

  private Frame ending() {
    int pick = random.nextInt(100);
    if (pick < 30) {
      byte[] bomb = deflated.get(random.nextInt(2));
      return new Frame("deflate-bomb", RawWebSocket.encode(true, true, random.nextBoolean() ? RawWebSocket.TEXT
          : RawWebSocket.BINARY, bomb), true);
    } else if (pick < 45) {
      return new Frame("rsv1", RawWebSocket.encode(true, true, RawWebSocket.TEXT, deflated.get(2)), true);
    } else if (pick < 65) {
      return new Frame("invalid-utf8", RawWebSocket.encode(true, false, RawWebSocket.TEXT, invalidUtf8()), true);
    } else if (pick < 72) {
      byte[] big = ("{\"type\":\"signal\",\"data\":\"" + "o".repeat(maxFrameBytes) + "\"}").getBytes(StandardCharsets.US_ASCII);
      return new Frame("oversize", RawWebSocket.encode(true, false, RawWebSocket.TEXT, big), true);
    } else if (pick < 82) {
      int[] reserved = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF};
      return new Frame("reserved-opcode", RawWebSocket.encode(true, false, reserved[random.nextInt(reserved.length)],
          "{}".getBytes(StandardCharsets.US_ASCII)), true);
    } else if (pick < 92) {
      return new Frame("stray-continuation", RawWebSocket.encode(true, false, RawWebSocket.CONTINUATION,
          "{\"type\":\"signal\"}".getBytes(StandardCharsets.US_ASCII)), true);
    } else {
      return new Frame("oversized-ping", RawWebSocket.encode(true, false, RawWebSocket.PING, new byte[126 + random.nextInt(500)]), true);
    }
  }

  private byte[] invalidUtf8() {
    byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE6, (byte) 0x97}, {(byte) 0x80}};
    byte[] prefix = ("{\"type\":\"signal\",\"data\":\"").getBytes(StandardCharsets.US_ASCII);
    byte[] middle = bad[random.nextInt(bad.length)];
    byte[] suffix = "\"}".getBytes(StandardCharsets.US_ASCII);
    Buffer out = Buffer.buffer().appendBytes(prefix).appendBytes(middle);
    if (random.nextBoolean()) {
      out.appendBytes(suffix);
    }
    return out.getBytes();
  }

  private static Frame text(String kind, String text) {
    return new Frame(kind, RawWebSocket.encode(true, false, RawWebSocket.TEXT, text.getBytes(StandardCharsets.UTF_8)), false);
  }

  /** Raw deflate of {@code input}, first filled with {@code fill} when one is given. */
  private static byte[] deflate(byte[] input, Byte fill) {
    if (fill != null) {
      java.util.Arrays.fill(input, fill);
    }
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(input);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    while (!deflater.finished()) {
      out.write(chunk, 0, deflater.deflate(chunk));
    }
    deflater.end();
    return out.toByteArray();
  }
}
