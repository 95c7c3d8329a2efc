package io.rollingpaper.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one JSON codec of the protocol: decodes and validates client frames, encodes server frames.
 *
 * <p>Numbers are read exactly (big integers and decimals are kept as written), so a note's values
 * come back to every client as they were sent. Server frames are built by joining already
 * serialized parts: notes and ops are serialized once and never re-parsed on the way out.
 * Thread-safe and stateless.
 */
public final class FrameCodec {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  private FrameCodec() {
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  // ---- decoding -------------------------------------------------------------------------

  /**
   * Decodes one client text frame, or throws the refusal the client should get. The common op frame is
   * scanned as a stream ({@link OpFrameScanner}); whatever the scanner does not accept is decoded here as a
   * tree, and every refusal comes from here.
   */
  public static ClientFrame decodeClientFrame(String text, Limits limits) {
    ClientFrame.OpFrame scanned = OpFrameScanner.scan(text, limits);
    return scanned != null ? scanned : decodeTree(text, limits);
  }

  /** The frame decoded as a tree: every frame the scanner leaves, and the judge of the scanner in the tests. */
  static ClientFrame decodeTree(String text, Limits limits) {
    JsonNode root = parse(text);
    if (root == null || !root.isObject()) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, "a frame must be a JSON object");
    }
    JsonNode type = root.get("type");
    if (type == null || !type.isTextual()) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, "a frame needs a string 'type'");
    }
    return switch (type.asText()) {
      case "op" -> decodeOpFrame(root, limits);
      case "signal" -> decodeSignal(root, limits);
      default -> throw new ProtocolException(ErrorCode.BAD_FRAME, "unknown frame type '" + abbreviate(type.asText()) + "'");
    };
  }

  private static ClientFrame.OpFrame decodeOpFrame(JsonNode root, Limits limits) {
    JsonNode cidNode = root.get("cid");
    String cid = null;
    if (cidNode != null && !cidNode.isNull()) {
      if (!cidNode.isTextual() || cidNode.asText().length() > Limits.MAX_CID_LENGTH) {
        throw new ProtocolException(ErrorCode.BAD_FRAME, "'cid' must be a string of at most 64 characters");
      }
      cid = cidNode.asText();
    }
    try {
      return new ClientFrame.OpFrame(cid, decodeOp(root.get("op"), limits));
    } catch (ProtocolException e) {
      throw e.withCid(cid);
    }
  }

  private static ClientFrame.SignalFrame decodeSignal(JsonNode root, Limits limits) {
    JsonNode data = root.get("data");
    if (data == null) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, "a signal needs 'data'");
    }
    if (utf8Bytes(write(data)) > limits.maxSignalBytes()) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "signal data is over " + limits.maxSignalBytes() + " bytes");
    }
    return new ClientFrame.SignalFrame(data);
  }

  /** Decodes and validates an op object (from a frame, or the HTTP API's body). */
  public static Op decodeOp(JsonNode op, Limits limits) {
    if (op != null && op.isObject()) {
      JsonNode note = op.get("note");
      if (note != null && note.isObject() && note.has(NoteFields.AUTHOR)) {
        // The client's author is dropped, so it does not count towards the note's size.
        note = ((ObjectNode) note).deepCopy().without(NoteFields.AUTHOR);
      }
      checkSize(note, limits, "note");
      checkSize(op.get("fields"), limits, "fields");
      checkFieldCount(note, false, limits);
      checkFieldCount(op.get("fields"), true, limits);
    }
    if (op == null || !op.isObject()) {
      throw new ProtocolException(ErrorCode.BAD_OP, "'op' must be an object");
    }
    JsonNode kind = op.get("kind");
    if (kind == null || !kind.isTextual()) {
      throw new ProtocolException(ErrorCode.BAD_OP, "an op needs a string 'kind'");
    }
    return switch (kind.asText()) {
      case Op.PUT -> decodePut(op);
      case Op.PATCH -> decodePatch(op);
      case Op.DELETE -> new Op.Delete(requireNoteId(op.get("id"), "id"));
      default -> throw new ProtocolException(ErrorCode.BAD_OP, "unknown op kind '" + abbreviate(kind.asText()) + "'");
    };
  }

  private static Op.Put decodePut(JsonNode op) {
    JsonNode note = op.get("note");
    if (note == null || !note.isObject()) {
      throw new ProtocolException(ErrorCode.BAD_OP, "note.put needs an object 'note'");
    }
    String id = requireNoteId(note.get("id"), "note.id");
    return new Op.Put(id, NoteFields.pairs((ObjectNode) note));
  }

  private static Op.Patch decodePatch(JsonNode op) {
    String id = requireNoteId(op.get("id"), "id");
    JsonNode fields = op.get("fields");
    if (fields == null || !fields.isObject()) {
      throw new ProtocolException(ErrorCode.BAD_OP, "note.patch needs an object 'fields'");
    }
    if (fields.has(NoteFields.ID) || fields.has(NoteFields.AUTHOR)) {
      throw new ProtocolException(ErrorCode.BAD_OP, "note.patch may not change 'id' or 'author'");
    }
    return new Op.Patch(id, NoteFields.pairs((ObjectNode) fields));
  }

  private static String requireNoteId(JsonNode id, String what) {
    if (id == null || !id.isTextual() || !Ids.isValid(id.asText())) {
      throw new ProtocolException(ErrorCode.BAD_OP, "'" + what + "' must be 1 to 64 characters of [A-Za-z0-9_-]");
    }
    return id.asText();
  }

  private static void checkSize(JsonNode value, Limits limits, String what) {
    if (value != null && utf8Bytes(write(value)) > limits.maxNoteBytes()) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "'" + what + "' is over " + limits.maxNoteBytes() + " bytes");
    }
  }

  /**
   * A put's note, or a patch's fields, over the cap of fields per note is {@code too_large}: a limit on how
   * big a note is, like its bytes (so it comes before {@code bad_op}). A patch is counted by the fields it
   * sets (a null removes one), plus the note's {@code id}: it cannot end under the cap with more. The store
   * checks the exact result of a patch.
   */
  private static void checkFieldCount(JsonNode value, boolean patch, Limits limits) {
    if (value == null || !value.isObject()) {
      return;
    }
    int fields = patch ? 1 : 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!(patch && field.getValue().isNull()) && !NoteFields.AUTHOR.equals(field.getKey())) {
        fields++;
      }
    }
    if (fields > limits.maxNoteFields()) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "a note holds at most " + limits.maxNoteFields() + " fields");
    }
  }

  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException | RuntimeException e) {
      // RuntimeException too: a number such as 1e99999999999 passes the parser and fails as it is built.
      throw new ProtocolException(ErrorCode.BAD_FRAME, "not valid JSON");
    }
  }

  // ---- encoding -------------------------------------------------------------------------

  /** The op as it travels in a delta, for kinds the server does not rewrite (patch, delete). */
  public static String opJson(Op op) {
    if (op instanceof Op.Put put) {
      return putOpJson(NoteFields.toJson(put.pairs()));
    }
    if (op instanceof Op.Patch patch) {
      return "{\"kind\":\"note.patch\",\"id\":" + quote(patch.noteId()) + ",\"fields\":" + NoteFields.toJson(patch.pairs())
          + "}";
    }
    return "{\"kind\":\"note.delete\",\"id\":" + quote(op.noteId()) + "}";
  }

  public static String putOpJson(String noteJson) {
    return "{\"kind\":\"note.put\",\"note\":" + noteJson + "}";
  }

  public static String delta(String paper, long seq, String by, String cid, String opJson) {
    return "{\"type\":\"delta\",\"paper\":" + quote(paper) + ",\"seq\":" + seq + ",\"by\":" + quote(by)
        + ",\"cid\":" + quoteOrNull(cid) + ",\"op\":" + opJson + "}";
  }

  public static String snapshot(PaperSnapshot s) {
    return "{\"type\":\"snapshot\"," + snapshotBody(s) + "}";
  }

  /** The snapshot's fields without {@code type}: the HTTP API's paper body. */
  public static String snapshotObject(PaperSnapshot s) {
    return "{" + snapshotBody(s) + "}";
  }

  private static String snapshotBody(PaperSnapshot s) {
    StringBuilder out = new StringBuilder(256);
    out.append("\"paper\":").append(quote(s.paper()))
        .append(",\"epoch\":").append(quote(s.epoch()))
        .append(",\"seq\":").append(s.seq())
        .append(",\"status\":").append(quote(s.status().wire()))
        .append(",\"notes\":[");
    List<String> notes = s.notesJson();
    for (int i = 0; i < notes.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(notes.get(i));
    }
    out.append("],\"presence\":").append(presenceArray(s.presence()));
    return out.toString();
  }

  public static String resumed(String paper, String epoch, long from, long seq, Collection<PresenceEntry> presence) {
    return "{\"type\":\"resumed\",\"paper\":" + quote(paper) + ",\"epoch\":" + quote(epoch) + ",\"from\":" + from
        + ",\"seq\":" + seq + ",\"presence\":" + presenceArray(presence) + "}";
  }

  public static String signal(String paper, String by, JsonNode data) {
    return "{\"type\":\"signal\",\"paper\":" + quote(paper) + ",\"by\":" + quote(by) + ",\"data\":" + write(data) + "}";
  }

  public static String presence(String paper, Collection<PresenceEntry> joined, Collection<String> left) {
    StringBuilder out = new StringBuilder("{\"type\":\"presence\",\"paper\":").append(quote(paper))
        .append(",\"joined\":").append(presenceArray(joined)).append(",\"left\":[");
    boolean first = true;
    for (String user : left) {
      out.append(first ? "" : ",").append(quote(user));
      first = false;
    }
    return out.append("]}").toString();
  }

  public static String completed(String paper, long seq) {
    return "{\"type\":\"completed\",\"paper\":" + quote(paper) + ",\"seq\":" + seq + "}";
  }

  public static String error(String cid, ErrorCode code, String message) {
    return "{\"type\":\"error\",\"cid\":" + quoteOrNull(cid) + ",\"code\":" + quote(code.wire()) + ",\"message\":"
        + quote(message) + "}";
  }

  /** The HTTP API's error body. */
  public static String errorBody(ErrorCode code, String message) {
    return "{\"code\":" + quote(code.wire()) + ",\"message\":" + quote(message) + "}";
  }

  public static String presenceArray(Collection<PresenceEntry> entries) {
    StringBuilder out = new StringBuilder("[");
    boolean first = true;
    for (PresenceEntry e : entries) {
      out.append(first ? "" : ",").append("{\"user\":").append(quote(e.user())).append(",\"name\":")
          .append(quote(e.name())).append('}');
      first = false;
    }
    return out.append(']').toString();
  }

  public static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  public static String quoteOrNull(String s) {
    return s == null ? "null" : quote(s);
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree always serializes", e);
    }
  }

  public static int utf8Bytes(String s) {
    return NoteFields.utf8Length(s);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
