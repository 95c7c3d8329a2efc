package io.rollingpaper.node.badinput;

import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * The generated corpus of malformed input, with the outcome PROTOCOL.md documents for each case.
 * Deterministic: one fixed seed, so a failing case has the same name and bytes on every run.
 *
 * <p>The corpus is written against a paper that holds the notes {@link #SEEDED} and never a note named
 * {@link #MISSING}; no case may be accepted as an op, so the paper must come out of it unchanged. Where
 * a case looks like a valid op it targets the missing note and is refused with {@code not_found}.
 */
final class Corpus {
  static final long SEED = 0x5EED_BAD_1DL;
  /** Notes the test seeds the paper with before the corpus runs. */
  static final List<String> SEEDED = List.of("a", "b", "c", "d");
  static final String MISSING = "zz-missing";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** What a case is sent as. */
  sealed interface Payload {
    /** A text message (valid UTF-8 by construction), one frame. */
    record Text(String text) implements Payload {
    }

    /** One final TEXT frame with exactly these bytes (maybe invalid UTF-8). */
    record RawText(byte[] bytes) implements Payload {
    }

    record Binary(byte[] bytes) implements Payload {
    }

    /** A TEXT frame then continuation frames, each with exactly these bytes. */
    record Fragments(List<byte[]> parts) implements Payload {
    }

    record Ping(byte[] payload) implements Payload {
    }

    record Pong(byte[] payload) implements Payload {
    }

    /** A text message sent over a connection that offered permessage-deflate (the node declines it). */
    record Compressed(String text) implements Payload {
    }
  }

  /** One acceptable outcome of a case. */
  sealed interface Outcome {
    /** An {@code error} frame with this code and cid (null: the cid must be null). */
    record Error(String code, String cid) implements Outcome {
      @Override
      public String toString() {
        return "error " + code + " cid=" + (cid == null ? "null" : Json.encode(cid));
      }
    }

    /** A signal relayed to the others on the paper (no error to the sender). */
    record Relayed() implements Outcome {
      @Override
      public String toString() {
        return "relayed";
      }
    }

    /** Nothing at all: no error, no close (control frames). */
    record Ignored() implements Outcome {
      @Override
      public String toString() {
        return "ignored";
      }
    }

    /** The socket closed with this code. */
    record Closed(int code) implements Outcome {
      @Override
      public String toString() {
        return "close " + code;
      }
    }
  }

  /**
   * A case: its payload, the outcomes that satisfy PROTOCOL.md (usually one), and — for a case that is
   * one op — the op's JSON and the codes, so the same op can be posted to the HTTP API.
   */
  record Case(String category, String name, Payload payload, List<Outcome> expected, String opJson,
              List<String> opCodes) {
    boolean closes() {
      return expected.stream().anyMatch(o -> o instanceof Outcome.Closed);
    }

    String describe() {
      String shown;
      if (payload instanceof Payload.Text t) {
        shown = t.text();
      } else if (payload instanceof Payload.Compressed c) {
        shown = "(deflated) " + c.text();
      } else if (payload instanceof Payload.RawText r) {
        shown = "(raw TEXT bytes) " + hex(r.bytes());
      } else if (payload instanceof Payload.Binary b) {
        shown = "(BINARY) " + hex(b.bytes());
      } else if (payload instanceof Payload.Fragments f) {
        shown = "(fragments) " + f.parts().stream().map(Corpus::hex).toList();
      } else if (payload instanceof Payload.Ping p) {
        shown = "(PING) " + hex(p.payload());
      } else {
        shown = "(PONG) " + hex(((Payload.Pong) payload).payload());
      }
      return category + "/" + name + " frame=" + abbreviate(shown, 160);
    }
  }

  /** A connection-level case: several payloads on one connection, then a close or none. */
  record PolicyCase(String name, List<Payload> payloads, int expectedErrors, Integer closeCode) {
  }

  private final Random random = new Random(SEED);
  private final List<Case> cases = new ArrayList<>();
  private final Map<String, Integer> names = new LinkedHashMap<>();
  private final int maxFrameBytes;
  private final int maxNoteBytes;
  private final int maxSignalBytes;

  private Corpus(int maxFrameBytes, int maxNoteBytes, int maxSignalBytes) {
    this.maxFrameBytes = maxFrameBytes;
    this.maxNoteBytes = maxNoteBytes;
    this.maxSignalBytes = maxSignalBytes;
  }

  static List<Case> generate(int maxFrameBytes, int maxNoteBytes, int maxSignalBytes) {
    Corpus corpus = new Corpus(maxFrameBytes, maxNoteBytes, maxSignalBytes);
    corpus.randomText();
    corpus.invalidUtf8();
    corpus.binary();
    corpus.deepNesting();
    corpus.hugeNumbers();
    corpus.wrongTypes();
    corpus.oddIds();
    corpus.reservedFields();
    corpus.oversize();
    corpus.unknownTypesAndKinds();
    corpus.duplicateKeys();
    corpus.trailingGarbage();
    corpus.nonStandardJson();
    corpus.empty();
    corpus.notFound();
    corpus.controlFrames();
    return List.copyOf(corpus.cases);
  }

  static List<PolicyCase> policy() {
    List<PolicyCase> out = new ArrayList<>();
    List<Payload> garbage = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      garbage.add(new Payload.Text("garbage " + i));
    }
    out.add(new PolicyCase("ten bad_frame", garbage, 10, 1008));
    List<Payload> mixed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mixed.add(new Payload.Text("{\"type\":\"nope\"}"));
      mixed.add(new Payload.Text(signal(Json.encode("s".repeat(1100)))));
      mixed.add(new Payload.Text(opFrame("m" + i, "{\"kind\":\"note.fly\"}")));
    }
    mixed.add(new Payload.Binary(new byte[] {1, 2, 3}));
    out.add(new PolicyCase("ten mixed bad_frame/too_large/bad_op/binary", mixed, 10, 1008));
    List<Payload> binaries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      binaries.add(new Payload.Binary(new byte[] {(byte) i}));
    }
    out.add(new PolicyCase("ten binary frames", binaries, 10, 1008));
    List<Payload> notFound = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      notFound.add(new Payload.Text(opFrame("nf" + i, "{\"kind\":\"note.delete\",\"id\":\"" + MISSING + "\"}")));
    }
    for (int i = 0; i < 9; i++) {
      notFound.add(new Payload.Text("garbage " + i));
    }
    out.add(new PolicyCase("15 not_found + 9 bad_frame do not close", notFound, 24, null));
    return out;
  }

  // ---- categories ------------------------------------------------------------------------------

  /** Random bytes as text, random Unicode, JSON-ish noise, and truncated valid frames: all bad_frame. */
  private void randomText() {
    for (int i = 0; i < 40; i++) {
      byte[] bytes = new byte[1 + random.nextInt(200)];
      random.nextBytes(bytes);
      // ISO-8859-1 maps every byte to one character: valid text whatever the bytes were.
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      add("random-bytes", "latin1-" + i, text(text), badFrame());
    }
    for (int i = 0; i < 20; i++) {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(80);
      while (text.length() < length) {
        int cp = random.nextInt(0x110000);
        if (cp < 0xD800 || cp > 0xDFFF) {
          text.appendCodePoint(cp);
        }
      }
      add("random-bytes", "unicode-" + i, text(text.toString()), badFrame());
    }
    // No 'y' or 'p': the noise can never spell "type", so it is never a valid frame.
    String alphabet = "{}[]\":,0123456789.-+eE truefalsn\t\n\\";
    for (int i = 0; i < 30; i++) {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(60);
      for (int j = 0; j < length; j++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      add("random-bytes", "json-noise-" + i, text(text.toString()), badFrame());
    }
    List<String> valid = List.of(
        signal("{\"x\":1,\"y\":2}"),
        opFrame("t1", put("{\"id\":\"a\",\"text\":\"overwritten\"}")),
        opFrame("t2", "{\"kind\":\"note.patch\",\"id\":\"b\",\"fields\":{\"text\":\"changed\"}}"),
        opFrame("t3", "{\"kind\":\"note.delete\",\"id\":\"c\"}"));
    for (int i = 0; i < 40; i++) {
      String frame = valid.get(i % valid.size());
      // Every proper prefix of a JSON object is invalid JSON.
      String cut = frame.substring(0, 1 + random.nextInt(frame.length() - 1));
      add("random-bytes", "truncated-" + i, text(cut), badFrame());
    }
  }

  /** Text frames that are not UTF-8: a compliant server closes with 1007 (RFC 6455 §8.1). */
  private void invalidUtf8() {
    Map<String, byte[]> raw = new LinkedHashMap<>();
    raw.put("lone-continuation", bytes(0x80));
    raw.put("overlong-slash", bytes(0xC0, 0xAF));
    raw.put("overlong-3byte", bytes(0xE0, 0x80, 0xAF));
    raw.put("surrogate-d800", bytes(0xED, 0xA0, 0x80));
    raw.put("above-10ffff", bytes(0xF4, 0x90, 0x80, 0x80));
    raw.put("f5-lead", bytes(0xF5, 0x80, 0x80, 0x80));
    raw.put("fe", bytes(0xFE));
    raw.put("ff", bytes(0xFF));
    raw.put("truncated-3byte", bytes(0xE6, 0x97));
    raw.put("in-signal-string", concat(ascii("{\"type\":\"signal\",\"data\":\""), bytes(0xFF), ascii("\"}")));
    raw.put("in-note-id", concat(ascii("{\"type\":\"op\",\"cid\":\"u1\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"a"),
        bytes(0xC3), ascii("\"}}}")));
    raw.put("in-cid", concat(ascii("{\"type\":\"op\",\"cid\":\""), bytes(0xED, 0xBF, 0xBF),
        ascii("\",\"op\":{\"kind\":\"note.delete\",\"id\":\"" + MISSING + "\"}}")));
    raw.put("latin1-encoded-json", "{\"type\":\"signal\",\"data\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
    raw.put("utf16-encoded-json", "{\"type\":\"signal\",\"data\":1}".getBytes(StandardCharsets.UTF_16));
    for (int i = 0; i < 4; i++) {
      byte[] noise = new byte[8 + random.nextInt(64)];
      random.nextBytes(noise);
      noise[random.nextInt(noise.length)] = (byte) 0xFF;
      raw.put("random-" + i, noise);
    }
    raw.forEach((name, bytes) -> add("invalid-utf8", name, new Payload.RawText(bytes), closed(1007)));
    String head = "{\"type\":\"signal\",\"data\":\"";
    add("invalid-utf8", "fragment-ff", new Payload.Fragments(List.of(ascii(head), bytes(0xFF), ascii("\"}"))),
        closed(1007));
    add("invalid-utf8", "fragment-ends-mid-character",
        new Payload.Fragments(List.of(ascii(head), bytes(0xE6, 0x97))), closed(1007));
    add("invalid-utf8", "fragment-overlong-across-boundary",
        new Payload.Fragments(List.of(concat(ascii(head), bytes(0xC0)), concat(bytes(0x80), ascii("\"}")))),
        closed(1007));
    // The control: a character split across fragments is valid UTF-8 once joined.
    byte[] nichi = "日".getBytes(StandardCharsets.UTF_8);
    add("invalid-utf8", "control-valid-character-split-across-fragments",
        new Payload.Fragments(List.of(concat(ascii(head), new byte[] {nichi[0]}),
            concat(new byte[] {nichi[1], nichi[2]}, ascii("\"}")))),
        List.of(new Outcome.Relayed()));
  }

  /** Binary frames: the protocol is text only, so each is bad_frame. */
  private void binary() {
    add("binary", "empty", new Payload.Binary(new byte[0]), badFrame());
    add("binary", "nul", new Payload.Binary(new byte[1]), badFrame());
    for (int i = 0; i < 8; i++) {
      byte[] noise = new byte[1 + random.nextInt(300)];
      random.nextBytes(noise);
      add("binary", "random-" + i, new Payload.Binary(noise), badFrame());
    }
    add("binary", "valid-signal-json", new Payload.Binary(utf8(signal("{\"x\":1}"))), badFrame());
    add("binary", "valid-put-json", new Payload.Binary(utf8(opFrame("bin1", put("{\"id\":\"a\",\"text\":\"bin\"}")))),
        badFrame());
    add("binary", "valid-delete-json", new Payload.Binary(utf8(opFrame("bin2", "{\"kind\":\"note.delete\",\"id\":\"b\"}"))),
        badFrame());
    add("binary", "invalid-utf8-bytes", new Payload.Binary(bytes(0xC0, 0xAF, 0xFF)), badFrame());
    add("binary", "cbor-like", new Payload.Binary(bytes(0xA2, 0x64, 't', 'y', 'p', 'e', 0x62, 'o', 'p')), badFrame());
    add("binary", "gzip-magic", new Payload.Binary(bytes(0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0)), badFrame());
    byte[] big = new byte[maxFrameBytes - 100];
    random.nextBytes(big);
    add("binary", "large-under-frame-limit", new Payload.Binary(big), badFrame());
    add("binary", "utf16-json", new Payload.Binary("{\"type\":\"signal\",\"data\":1}".getBytes(StandardCharsets.UTF_16LE)),
        badFrame());
  }

  /** Deep nesting within the frame limit: never a crash; refused as bad_frame (or too_large where it is data). */
  private void deepNesting() {
    int deep = 10_000;
    add("deep-nesting", "arrays-10k-as-frame", text("[".repeat(deep) + "]".repeat(deep)), badFrame());
    add("deep-nesting", "unclosed-arrays-20k", text("[".repeat(2 * deep)), badFrame());
    add("deep-nesting", "objects-3k-as-frame", text("{\"a\":".repeat(3000) + "1" + "}".repeat(3000)), badFrame());
    String arrays10k = "[".repeat(deep) + "]".repeat(deep);
    add("deep-nesting", "signal-data-arrays-10k", text(signal(arrays10k)),
        List.of(err("bad_frame", null), err("too_large", null)));
    add("deep-nesting", "signal-data-arrays-1001", text(signal("[".repeat(1001) + "]".repeat(1001))),
        List.of(err("bad_frame", null), err("too_large", null)));
    add("deep-nesting", "signal-data-mixed-2k",
        text(signal("[{\"a\":".repeat(2000) + "1" + "}]".repeat(2000))), List.of(err("bad_frame", null), err("too_large", null)));
    add("deep-nesting", "signal-data-arrays-500-fits", text(signal("[".repeat(500) + "]".repeat(500))),
        List.of(new Outcome.Relayed()));
    String nestedNote = put("{\"id\":\"" + MISSING + "\",\"t\":" + arrays10k + "}");
    add("deep-nesting", "note-field-arrays-10k", text(opFrame("deep1", nestedNote)),
        List.of(err("bad_frame", null), err("too_large", "deep1")));
    String nestedPatch = "{\"kind\":\"note.patch\",\"id\":\"a\",\"fields\":{\"t\":" + "[".repeat(5000) + "]".repeat(5000) + "}}";
    add("deep-nesting", "patch-field-arrays-5k", text(opFrame("deep2", nestedPatch)),
        List.of(err("bad_frame", null), err("too_large", "deep2")));
    add("deep-nesting", "op-arrays-10k", text(opFrame("deep3", arrays10k)),
        List.of(err("bad_frame", null), err("bad_op", "deep3")));
    add("deep-nesting", "cid-arrays-10k", text("{\"type\":\"op\",\"cid\":" + arrays10k + ",\"op\":{}}"), badFrame());
  }

  /**
   * Huge and extreme numbers wherever a value goes. Those a decoder cannot hold (an exponent past the
   * range of any number type, more digits than a parser allows) may be refused as bad_frame instead.
   */
  private void hugeNumbers() {
    Map<String, Boolean> numbers = new LinkedHashMap<>();
    numbers.put("1e999999", true);
    numbers.put("-1e999999", true);
    numbers.put("1e-999999", true);
    numbers.put("123456789012345678901234567890", true);
    numbers.put("18446744073709551616", true);
    numbers.put("9007199254740993", true);
    numbers.put("-0.0", true);
    numbers.put("1E400", true);
    numbers.put("9".repeat(1000), true);
    numbers.put("9".repeat(1001), false);
    numbers.put("1e99999999999", false);
    numbers.put("1e-2147483649", false);
    numbers.put("-0.0e-2147483648", false);
    int n = 0;
    for (Map.Entry<String, Boolean> entry : numbers.entrySet()) {
      String num = entry.getKey();
      boolean representable = entry.getValue();
      String name = num.length() > 20 ? num.length() + "-digits" : num;
      add("huge-numbers", "type=" + name, text("{\"type\":" + num + ",\"data\":1}"), badFrame());
      add("huge-numbers", "cid=" + name, text("{\"type\":\"op\",\"cid\":" + num + ",\"op\":" + deleteMissing() + "}"),
          badFrame());
      String cid = "hn" + (n++);
      opCase("huge-numbers", "note.id=" + name, cid, put("{\"id\":" + num + "}"), representable, "bad_op");
      opCase("huge-numbers", "kind=" + name, cid, "{\"kind\":" + num + ",\"id\":\"" + MISSING + "\"}", representable,
          "bad_op");
      opCase("huge-numbers", "patch-value=" + name, cid,
          "{\"kind\":\"note.patch\",\"id\":\"" + MISSING + "\",\"fields\":{\"v\":" + num + "}}", representable, "not_found");
      List<Outcome> relayed = new ArrayList<>(List.of(new Outcome.Relayed()));
      if (!representable) {
        relayed.add(err("bad_frame", null));
      }
      add("huge-numbers", "signal-data=" + name, text(signal(num)), relayed);
    }
  }

  /** Every field of every frame given each JSON type it must not have. */
  private void wrongTypes() {
    List<String> values = List.of("0", "-1", "1.5", "1e999999", "123456789012345678901234567890", "-0", "true",
        "false", "null", "[]", "[1,\"a\"]", "{}", "{\"id\":\"x\"}", "\"\"", "\"text\"");
    int n = 0;
    for (String v : values) {
      String name = v.length() > 12 ? v.substring(0, 12) + "…" : v;
      boolean isString = v.startsWith("\"");
      boolean isObject = v.startsWith("{");
      String s = isString ? (String) Json.decodeValue(v) : null;
      // type
      add("wrong-types", "type=" + name, text("{\"type\":" + v + ",\"cid\":\"w\",\"op\":" + deleteMissing() + "}"),
          badFrame());
      // root
      add("wrong-types", "root=" + name, text(v), badFrame());
      // cid: absent, null or a string of at most 64 characters is fine; anything else is bad_frame
      if (v.equals("null")) {
        add("wrong-types", "cid=" + name, text(opFrameRawCid(v, deleteMissing())), List.of(err("not_found", null)));
      } else if (isString) {
        add("wrong-types", "cid=" + name, text(opFrameRawCid(v, deleteMissing())), List.of(err("not_found", s)));
      } else {
        add("wrong-types", "cid=" + name, text(opFrameRawCid(v, deleteMissing())), badFrame());
      }
      String cid = "wt" + (n++);
      // op
      opCase("wrong-types", "op=" + name, cid, v, true, "bad_op");
      // kind
      opCase("wrong-types", "kind=" + name, cid, "{\"kind\":" + v + ",\"id\":\"" + MISSING + "\"}", true, "bad_op");
      // delete id and patch id: a valid id string is a note that is not there
      String idCode = isString && ID.matcher(s).matches() ? "not_found" : "bad_op";
      opCase("wrong-types", "delete.id=" + name, cid, "{\"kind\":\"note.delete\",\"id\":" + v + "}", true, idCode);
      opCase("wrong-types", "patch.id=" + name, cid,
          "{\"kind\":\"note.patch\",\"id\":" + v + ",\"fields\":{\"t\":1}}", true, idCode);
      // patch fields: an object without id/author is fine (and the note is missing)
      String fieldsCode = v.equals("{}") ? "not_found" : "bad_op";
      opCase("wrong-types", "patch.fields=" + name, cid,
          "{\"kind\":\"note.patch\",\"id\":\"" + MISSING + "\",\"fields\":" + v + "}", true, fieldsCode);
      // put note: an object with a valid id would be accepted; it is no wrong type
      if (!(isObject && v.contains("\"id\""))) {
        opCase("wrong-types", "put.note=" + name, cid, put(v), true, "bad_op");
      }
      // put note.id: a valid id string would be accepted
      if (!(isString && ID.matcher(s).matches())) {
        opCase("wrong-types", "put.note.id=" + name, cid, put("{\"id\":" + v + ",\"t\":1}"), true, "bad_op");
      }
      // signal data: any JSON is fine
      add("wrong-types", "signal.data=" + name, text(signal(v)), List.of(new Outcome.Relayed()));
    }
    add("wrong-types", "signal-without-data", text("{\"type\":\"signal\"}"), badFrame());
    add("wrong-types", "op-without-op", text("{\"type\":\"op\",\"cid\":\"noop\"}"), List.of(err("bad_op", "noop")));
    add("wrong-types", "no-type", text("{\"cid\":\"x\",\"op\":" + deleteMissing() + "}"), badFrame());
  }

  /** Ids with odd characters as note ids (bad_op) and as cids (any string of at most 64 characters is a cid). */
  private void oddIds() {
    List<String> odd = List.of(" a", "a ", "a b", "ü", "日本", "../x", "..", ".", "a/b", "a\\b", "a\u0000b",
        "a\nb", "a\tb", "%2e%2e", "a.b", "a:b", "a{b}", "x".repeat(65), "", "😀", "\u202eab", "a\u200bb",
        "ＡＢ", "<script>", "a\"b", "rp:{a}:meta", "a\u0085b", "\uFEFFa");
    int n = 0;
    for (String id : odd) {
      String name = Json.encode(id.length() > 20 ? id.substring(0, 8) + "…(" + id.length() + ")" : id);
      String json = Json.encode(id);
      String cid = "oi" + (n++);
      opCase("odd-ids", "put.note.id=" + name, cid, put("{\"id\":" + json + ",\"t\":1}"), true, "bad_op");
      opCase("odd-ids", "patch.id=" + name, cid,
          "{\"kind\":\"note.patch\",\"id\":" + json + ",\"fields\":{\"t\":1}}", true, "bad_op");
      opCase("odd-ids", "delete.id=" + name, cid, "{\"kind\":\"note.delete\",\"id\":" + json + "}", true, "bad_op");
      if (id.length() <= 64) {
        add("odd-ids", "cid=" + name, text(opFrameRawCid(json, deleteMissing())), List.of(err("not_found", id)));
      } else {
        add("odd-ids", "cid=" + name, text(opFrameRawCid(json, deleteMissing())), badFrame());
      }
    }
    add("odd-ids", "id-64-chars-is-valid-but-missing", text(opFrame("oi-64",
        "{\"kind\":\"note.delete\",\"id\":\"" + "x".repeat(64) + "\"}")), List.of(err("not_found", "oi-64")));
    add("odd-ids", "cid-64-chars-is-valid", text(opFrameRawCid(Json.encode("c".repeat(64)), deleteMissing())),
        List.of(err("not_found", "c".repeat(64))));
  }

  /** note.patch fields naming id or author, whatever their value: bad_op, before not_found. */
  private void reservedFields() {
    List<String> fields = List.of("{\"id\":\"a\"}", "{\"id\":\"other\"}", "{\"id\":null}", "{\"id\":5}",
        "{\"author\":\"me\"}", "{\"author\":null}", "{\"author\":{}}", "{\"t\":1,\"id\":\"a\"}",
        "{\"t\":1,\"author\":\"x\"}", "{\"author\":\"seed\",\"id\":\"a\"}");
    int n = 0;
    for (String f : fields) {
      opCase("reserved-fields", "patch-existing fields=" + f, "rf" + (n++),
          "{\"kind\":\"note.patch\",\"id\":\"a\",\"fields\":" + f + "}", true, "bad_op");
      opCase("reserved-fields", "patch-missing fields=" + f, "rf" + (n++),
          "{\"kind\":\"note.patch\",\"id\":\"" + MISSING + "\",\"fields\":" + f + "}", true, "bad_op");
    }
  }

  /** Over the note and signal limits (too_large, in precedence order) and over the frame limit (1009). */
  private void oversize() {
    String big = Json.encode("x".repeat(maxNoteBytes + 50));
    String huge = Json.encode("x".repeat(maxFrameBytes - 500));
    opCase("oversize", "put-note", "os1", put("{\"id\":\"a\",\"text\":" + big + "}"), true, "too_large");
    opCase("oversize", "put-note-near-frame-limit", "os2", put("{\"id\":\"a\",\"text\":" + huge + "}"), true, "too_large");
    opCase("oversize", "put-note-without-id", "os3", put("{\"text\":" + big + "}"), true, "too_large");
    opCase("oversize", "put-note-bad-id", "os4", put("{\"id\":\"../\",\"text\":" + big + "}"), true, "too_large");
    opCase("oversize", "put-note-multibyte", "os5",
        put("{\"id\":\"a\",\"text\":" + Json.encode("日".repeat(maxNoteBytes / 3 + 20)) + "}"), true, "too_large");
    opCase("oversize", "unknown-kind-with-big-note", "os6", "{\"kind\":\"note.fly\",\"note\":{\"id\":\"a\",\"t\":" + big + "}}",
        true, "too_large");
    opCase("oversize", "no-kind-with-big-fields", "os7", "{\"fields\":{\"t\":" + big + "}}", true, "too_large");
    opCase("oversize", "patch-fields", "os8", "{\"kind\":\"note.patch\",\"id\":\"a\",\"fields\":{\"t\":" + big + "}}", true,
        "too_large");
    opCase("oversize", "patch-fields-with-id", "os9",
        "{\"kind\":\"note.patch\",\"id\":\"a\",\"fields\":{\"id\":\"a\",\"t\":" + big + "}}", true, "too_large");
    opCase("oversize", "patch-fields-missing-note", "os10",
        "{\"kind\":\"note.patch\",\"id\":\"" + MISSING + "\",\"fields\":{\"t\":" + big + "}}", true, "too_large");
    // The patch alone fits; the note it would make does not.
    opCase("oversize", "patch-grows-note-past-limit", "os11", "{\"kind\":\"note.patch\",\"id\":\"a\",\"fields\":{\"t\":"
        + Json.encode("g".repeat(maxNoteBytes - 40)) + "}}", true, "too_large");
    add("oversize", "big-note-and-bad-cid", text("{\"type\":\"op\",\"cid\":5,\"op\":" + put("{\"id\":\"a\",\"t\":" + big + "}") + "}"),
        badFrame());
    add("oversize", "big-note-and-unknown-type", text("{\"type\":\"opp\",\"cid\":\"x\",\"op\":"
        + put("{\"id\":\"a\",\"t\":" + big + "}") + "}"), badFrame());
    add("oversize", "signal-data-string", text(signal(Json.encode("s".repeat(maxSignalBytes + 76)))),
        List.of(err("too_large", null)));
    add("oversize", "signal-data-one-byte-over", text(signal(Json.encode("s".repeat(maxSignalBytes - 1)))),
        List.of(err("too_large", null)));
    add("oversize", "signal-data-at-limit", text(signal(Json.encode("s".repeat(maxSignalBytes - 2)))),
        List.of(new Outcome.Relayed()));
    add("oversize", "signal-data-multibyte", text(signal(Json.encode("日".repeat(maxSignalBytes / 3 + 10)))),
        List.of(err("too_large", null)));
    add("oversize", "signal-data-nested-600", text(signal("[".repeat(600) + "]".repeat(600))),
        List.of(err("too_large", null)));

    // Over the frame limit: close 1009, whatever the content.
    String pad = "z".repeat(maxFrameBytes);
    add("oversize-frame", "signal-just-over", text(signal(Json.encode(pad.substring(0, maxFrameBytes - 22)))), closed(1009));
    add("oversize-frame", "garbage-just-over", text("g".repeat(maxFrameBytes + 1)), closed(1009));
    add("oversize-frame", "multibyte-over-in-bytes-not-chars",
        text(signal(Json.encode("日".repeat(maxFrameBytes / 3 + 10)))), closed(1009));
    add("oversize-frame", "twice-the-limit", text(signal(Json.encode("z".repeat(2 * maxFrameBytes)))), closed(1009));
    add("oversize-frame", "put-over-the-limit", text(opFrame("big", put("{\"id\":\"a\",\"t\":"
        + Json.encode("z".repeat(maxFrameBytes)) + "}"))), closed(1009));
    add("oversize-frame", "four-times-the-limit", text("q".repeat(4 * maxFrameBytes)), closed(1009));
    // A single frame past the transport limit (4 x MAX_FRAME_BYTES) is cut by the WebSocket decoder
    // before the node sees it: the connection drops (1006) instead of closing with 1009. Known and
    // accepted: a higher transport limit would let any client make the node buffer huge frames.
    add("oversize-frame", "past-the-transport-limit", text("q".repeat(6 * maxFrameBytes)),
        List.of(new Outcome.Closed(1009), new Outcome.Closed(1006)));
    add("oversize-frame", "binary-over", new Payload.Binary(new byte[maxFrameBytes + 1]), closed(1009));
    List<byte[]> fragments = new ArrayList<>();
    fragments.add(ascii("{\"type\":\"signal\",\"data\":\""));
    for (int i = 0; i < 5; i++) {
      fragments.add(ascii("f".repeat(maxFrameBytes / 4)));
    }
    fragments.add(ascii("\"}"));
    add("oversize-frame", "fragments-summing-over", new Payload.Fragments(fragments), closed(1009));
    List<byte[]> many = new ArrayList<>();
    many.add(ascii("["));
    for (int i = 0; i < 30; i++) {
      many.add(ascii("1,".repeat(maxFrameBytes / 8)));
    }
    many.add(ascii("1]"));
    add("oversize-frame", "fragments-past-the-transport-limit", new Payload.Fragments(many), closed(1009));
    add("oversize-frame", "deflated-over-the-limit",
        new Payload.Compressed(signal(Json.encode("a".repeat(2 * maxFrameBytes)))), closed(1009));
    // Offered compression is refused, so this goes out uncompressed, past the transport limit (see above).
    // A 4 MiB frame: the node may drop the connection while the client is still writing it (-2: the
    // client's own write failed), which is the same outcome as 1006.
    add("oversize-frame", "deflated-bomb", new Payload.Compressed(signal(Json.encode("a".repeat(4 * 1024 * 1024)))),
        List.of(new Outcome.Closed(1009), new Outcome.Closed(1006), new Outcome.Closed(-2)));
    add("oversize-frame", "control-deflated-under-the-limit",
        new Payload.Compressed(signal(Json.encode("a".repeat(maxSignalBytes - 100)))), List.of(new Outcome.Relayed()));
  }

  private void unknownTypesAndKinds() {
    List<String> types = List.of("", "OP", "Op", " op", "op ", "snapshot", "delta", "error", "presence", "resumed",
        "completed", "signal\u0000", "__proto__", "constructor", "ping", "hello", "opp", "sig", "op\n", "SIGNAL");
    for (String t : types) {
      add("unknown-types", "type=" + Json.encode(t), text("{\"type\":" + Json.encode(t) + ",\"cid\":\"ut\",\"op\":"
          + deleteMissing() + ",\"data\":1}"), badFrame());
    }
    List<String> kinds = List.of("", "note.PUT", "Note.put", "note.put ", " note.put", "note", "put", "note.create",
        "note.update", "note.remove", "note.put\u0000", "__proto__", "notes.put", "note.patch.x", "note.delete\n",
        "NOTE.DELETE");
    int n = 0;
    for (String k : kinds) {
      opCase("unknown-kinds", "kind=" + Json.encode(k), "uk" + (n++), "{\"kind\":" + Json.encode(k) + ",\"id\":\"a\","
          + "\"note\":{\"id\":\"a\"},\"fields\":{\"t\":1}}", true, "bad_op");
    }
  }

  /** Duplicated keys: the last one wins (as in JSON.parse); a first-wins decoder would apply some of these. */
  private void duplicateKeys() {
    String del = deleteMissing();
    add("duplicate-keys", "type-signal-then-nope", text("{\"type\":\"signal\",\"data\":1,\"type\":\"nope\"}"), badFrame());
    add("duplicate-keys", "type-nope-then-op", text("{\"type\":\"nope\",\"type\":\"op\",\"cid\":\"dup1\",\"op\":" + del + "}"),
        List.of(err("not_found", "dup1")));
    add("duplicate-keys", "cid-good-then-bad", text("{\"type\":\"op\",\"cid\":\"dup2\",\"cid\":5,\"op\":" + del + "}"),
        badFrame());
    add("duplicate-keys", "cid-bad-then-good", text("{\"type\":\"op\",\"cid\":5,\"cid\":\"dup3\",\"op\":" + del + "}"),
        List.of(err("not_found", "dup3")));
    add("duplicate-keys", "op-valid-put-then-number",
        text("{\"type\":\"op\",\"cid\":\"dup4\",\"op\":" + put("{\"id\":\"a\",\"t\":\"dup\"}") + ",\"op\":5}"),
        List.of(err("bad_op", "dup4")));
    add("duplicate-keys", "kind-put-then-delete", text("{\"type\":\"op\",\"cid\":\"dup5\",\"op\":{\"kind\":\"note.put\","
        + "\"kind\":\"note.delete\",\"id\":\"" + MISSING + "\"}}"), List.of(err("not_found", "dup5")));
    add("duplicate-keys", "delete-id-existing-then-missing", text("{\"type\":\"op\",\"cid\":\"dup6\",\"op\":{\"kind\":"
        + "\"note.delete\",\"id\":\"a\",\"id\":\"" + MISSING + "\"}}"), List.of(err("not_found", "dup6")));
    add("duplicate-keys", "fields-good-then-reserved", text("{\"type\":\"op\",\"cid\":\"dup7\",\"op\":{\"kind\":"
        + "\"note.patch\",\"id\":\"a\",\"fields\":{\"t\":1},\"fields\":{\"id\":\"x\"}}}"), List.of(err("bad_op", "dup7")));
    add("duplicate-keys", "note-id-good-then-bad", text("{\"type\":\"op\",\"cid\":\"dup8\",\"op\":{\"kind\":\"note.put\","
        + "\"note\":{\"id\":\"a\",\"id\":\"../\"}}}"), List.of(err("bad_op", "dup8")));
    add("duplicate-keys", "type-and-data-twice",
        text("{\"type\":\"signal\",\"type\":\"signal\",\"data\":1,\"data\":2}"), List.of(new Outcome.Relayed()));
  }

  private void trailingGarbage() {
    String base = opFrame("tg", deleteMissing());
    List<String> tails = List.of(" x", "}", "{}", "]", ",", "\u0000", "null", base, "/*c*/", "//", "\"", "1", " {",
        "\u00a0x");
    int n = 0;
    for (String tail : tails) {
      add("trailing-garbage", "tail=" + Json.encode(abbreviate(tail, 12)) + "#" + (n++), text(base + tail), badFrame());
    }
    add("trailing-garbage", "leading-garbage", text("x" + base), badFrame());
    add("trailing-garbage", "signal-then-garbage", text(signal("1") + " ;"), badFrame());
    add("trailing-garbage", "control-trailing-whitespace", text(base + " \t\r\n"), List.of(err("not_found", "tg")));
    add("trailing-garbage", "control-leading-whitespace", text(" \n\t" + base), List.of(err("not_found", "tg")));
  }

  private void nonStandardJson() {
    Map<String, String> frames = new LinkedHashMap<>();
    frames.put("single-quotes", "{'type':'signal','data':1}");
    frames.put("unquoted-keys", "{type:\"signal\",data:1}");
    frames.put("trailing-comma", "{\"type\":\"signal\",\"data\":1,}");
    frames.put("comment", "{\"type\":\"signal\",/*c*/\"data\":1}");
    frames.put("nan", "{\"type\":\"signal\",\"data\":NaN}");
    frames.put("infinity", "{\"type\":\"signal\",\"data\":-Infinity}");
    frames.put("hex", "{\"type\":\"signal\",\"data\":0x10}");
    frames.put("leading-zero", "{\"type\":\"signal\",\"data\":01}");
    frames.put("plus-sign", "{\"type\":\"signal\",\"data\":+1}");
    frames.put("dot-number", "{\"type\":\"signal\",\"data\":.5}");
    frames.put("raw-control-char-in-string", "{\"type\":\"signal\",\"data\":\"a\u0001b\"}");
    frames.put("raw-newline-in-string", "{\"type\":\"signal\",\"data\":\"a\nb\"}");
    frames.put("bad-escape", "{\"type\":\"signal\",\"data\":\"\\x41\"}");
    frames.put("short-unicode-escape", "{\"type\":\"signal\",\"data\":\"\\u12\"}");
    frames.put("undefined", "{\"type\":\"signal\",\"data\":undefined}");
    frames.put("missing-colon", "{\"type\" \"signal\",\"data\":1}");
    frames.put("missing-value", "{\"type\":\"signal\",\"data\":}");
    frames.put("unterminated-string", "{\"type\":\"signal\",\"data\":\"abc}");
    frames.put("raw-control-in-key", "{\"ty\u0002pe\":\"signal\",\"data\":1}");
    frames.put("python-true", "{\"type\":\"signal\",\"data\":True}");
    frames.forEach((name, frame) -> add("non-standard-json", name, text(frame), badFrame()));
  }

  private void empty() {
    List<String> empties = List.of("", " ", "\n", "\t\r\n ", "{}", "null", "[]", "\"\"", "0", "true", "[{}]",
        "\"{\\\"type\\\":\\\"signal\\\",\\\"data\\\":1}\"", "{\"\":\"\"}", "{\"type\":\"\"}", "{\"type\":null}");
    for (String e : empties) {
      add("empty", Json.encode(e), text(e), badFrame());
    }
    add("empty", "fragments-all-empty", new Payload.Fragments(List.of(new byte[0], new byte[0], new byte[0])), badFrame());
    add("empty", "binary-empty-again", new Payload.Binary(new byte[0]), badFrame());
  }

  /** Well-formed ops on notes that are not there: refused by the store, and they do not count as bad input. */
  private void notFound() {
    opCase("not-found", "delete", "nf1", deleteMissing(), true, "not_found");
    opCase("not-found", "patch", "nf2", "{\"kind\":\"note.patch\",\"id\":\"" + MISSING + "\",\"fields\":{\"t\":1}}", true,
        "not_found");
    opCase("not-found", "patch-remove-field", "nf3",
        "{\"kind\":\"note.patch\",\"id\":\"" + MISSING + "\",\"fields\":{\"t\":null}}", true, "not_found");
    opCase("not-found", "patch-empty-fields", "nf4", "{\"kind\":\"note.patch\",\"id\":\"" + MISSING + "\",\"fields\":{}}",
        true, "not_found");
    opCase("not-found", "delete-case-differs", "nf5", "{\"kind\":\"note.delete\",\"id\":\"A\"}", true, "not_found");
    opCase("not-found", "patch-case-differs", "nf6", "{\"kind\":\"note.patch\",\"id\":\"B\",\"fields\":{\"t\":1}}", true,
        "not_found");
  }

  private void controlFrames() {
    add("control-frames", "ping-empty", new Payload.Ping(new byte[0]), List.of(new Outcome.Ignored()));
    add("control-frames", "ping-125", new Payload.Ping(new byte[125]), List.of(new Outcome.Ignored()));
    add("control-frames", "ping-json", new Payload.Ping(utf8(signal("1"))), List.of(new Outcome.Ignored()));
    add("control-frames", "pong-unsolicited", new Payload.Pong(bytes(0xFF, 0xFE)), List.of(new Outcome.Ignored()));
  }

  // ---- building blocks -------------------------------------------------------------------------

  /**
   * An op frame with a cid whose outcome is {@code code} (or, when the numbers in it cannot be
   * represented, possibly bad_frame with a null cid); also usable as an HTTP API body.
   */
  private void opCase(String category, String name, String cid, String opJson, boolean representable, String code) {
    List<Outcome> outcomes = new ArrayList<>(List.of(err(code, cid)));
    List<String> codes = new ArrayList<>(List.of(code));
    if (!representable) {
      outcomes.add(err("bad_frame", null));
      codes.add("bad_frame");
    }
    add(new Case(category, name, text(opFrame(cid, opJson)), List.copyOf(outcomes), opJson, List.copyOf(codes)));
  }

  private void add(String category, String name, Payload payload, List<Outcome> expected) {
    add(new Case(category, name, payload, List.copyOf(expected), null, List.of()));
  }

  private void add(Case c) {
    String key = c.category() + "/" + c.name();
    int count = names.merge(key, 1, Integer::sum);
    cases.add(count == 1 ? c : new Case(c.category(), c.name() + "#" + count, c.payload(), c.expected(), c.opJson(),
        c.opCodes()));
  }

  static String opFrame(String cid, String opJson) {
    return "{\"type\":\"op\",\"cid\":" + Json.encode(cid) + ",\"op\":" + opJson + "}";
  }

  static String opFrameRawCid(String cidJson, String opJson) {
    return "{\"type\":\"op\",\"cid\":" + cidJson + ",\"op\":" + opJson + "}";
  }

  static String signal(String dataJson) {
    return "{\"type\":\"signal\",\"data\":" + dataJson + "}";
  }

  static String put(String noteJson) {
    return "{\"kind\":\"note.put\",\"note\":" + noteJson + "}";
  }

  static String deleteMissing() {
    return "{\"kind\":\"note.delete\",\"id\":\"" + MISSING + "\"}";
  }

  private static Payload text(String text) {
    return new Payload.Text(text);
  }

  private static List<Outcome> badFrame() {
    return List.of(err("bad_frame", null));
  }

  private static Outcome err(String code, String cid) {
    return new Outcome.Error(code, cid);
  }

  private static List<Outcome> closed(int code) {
    return List.of(new Outcome.Closed(code));
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 48); i++) {
      out.append(String.format("%02x", bytes[i] & 0xFF));
    }
    return out + (bytes.length > 48 ? "…(" + bytes.length + " bytes)" : "");
  }

  static String abbreviate(String s, int max) {
    String escaped = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t").replace("\u0000", "\\0");
    return escaped.length() <= max ? escaped : escaped.substring(0, max) + "…(" + s.length() + " chars)";
  }
}
