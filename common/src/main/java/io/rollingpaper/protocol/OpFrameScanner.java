package io.rollingpaper.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The streaming decode of the frame every edit sends: an op frame whose note (or patch) holds flat fields.
 * Why: building a Jackson tree of the frame, writing the note back out to measure it and once more to split it
 * into pairs was a fifth of the event loop on the hot workload; one pass of the parser does all three.
 *
 * <p>It only ever accepts: a frame it {@link #scan scans} is one the tree decoder ({@link FrameCodec}) accepts,
 * decoded to the same op. Anything else — another frame type, an unknown or repeated key, a nested value in a
 * note, a refusal of any kind, a number a decoder cannot hold — is answered with {@code null}, and the caller
 * decodes the frame as a tree, which then gives the refusal. So the tree decoder stays the one place where
 * validation rules and error codes live. Stateless; thread-safe.
 */
final class OpFrameScanner {
  /** The names {@code author} and {@code id} as the pairs hold them (quoted). */
  private static final String AUTHOR_JSON = "\"" + NoteFields.AUTHOR + "\"";
  private static final String ID_JSON = "\"" + NoteFields.ID + "\"";

  private OpFrameScanner() {
  }

  /** The frame decoded, or null where the tree decoder must decide. */
  static ClientFrame.OpFrame scan(String text, Limits limits) {
    try (JsonParser parser = FrameCodec.mapper().getFactory().createParser(text)) {
      ClientFrame.OpFrame frame = frame(parser, limits);
      // The tree decoder refuses trailing tokens; the scanner leaves them to it.
      return frame != null && parser.nextToken() == null ? frame : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static ClientFrame.OpFrame frame(JsonParser parser, Limits limits) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    boolean typed = false;
    boolean hasCid = false;
    String cid = null;
    Op op = null;
    String key;
    while ((key = parser.nextFieldName()) != null) {
      JsonToken value = parser.nextToken();
      switch (key) {
        case "type" -> {
          if (typed || value != JsonToken.VALUE_STRING || !"op".equals(parser.getText())) {
            return null;
          }
          typed = true;
        }
        case "cid" -> {
          if (hasCid) {
            return null;
          }
          hasCid = true;
          if (value == JsonToken.VALUE_STRING) {
            cid = parser.getText();
            if (cid.length() > Limits.MAX_CID_LENGTH) {
              return null;
            }
          } else if (value != JsonToken.VALUE_NULL) {
            return null;
          }
        }
        case "op" -> {
          if (op != null || value != JsonToken.START_OBJECT || (op = op(parser, limits)) == null) {
            return null;
          }
        }
        default -> {
          return null;
        }
      }
    }
    return typed && op != null ? new ClientFrame.OpFrame(cid, op) : null;
  }

  /** The op object, the parser on its START_OBJECT. */
  private static Op op(JsonParser parser, Limits limits) throws IOException {
    String kind = null;
    String id = null;
    List<String> note = null;
    List<String> fields = null;
    String key;
    while ((key = parser.nextFieldName()) != null) {
      JsonToken value = parser.nextToken();
      switch (key) {
        case "kind" -> {
          if (kind != null || value != JsonToken.VALUE_STRING) {
            return null;
          }
          kind = parser.getText();
        }
        case "id" -> {
          if (id != null || value != JsonToken.VALUE_STRING) {
            return null;
          }
          id = parser.getText();
        }
        case "note" -> {
          if (note != null || value != JsonToken.START_OBJECT || (note = pairs(parser, limits)) == null) {
            return null;
          }
        }
        case "fields" -> {
          if (fields != null || value != JsonToken.START_OBJECT || (fields = pairs(parser, limits)) == null) {
            return null;
          }
        }
        default -> {
          return null;
        }
      }
    }
    if (Op.PUT.equals(kind) && id == null && fields == null && note != null) {
      return put(note, limits);
    }
    if (Op.PATCH.equals(kind) && note == null && fields != null && Ids.isValid(id)) {
      return patch(id, fields, limits);
    }
    return Op.DELETE.equals(kind) && note == null && fields == null && Ids.isValid(id) ? new Op.Delete(id) : null;
  }

  private static Op.Put put(List<String> pairs, Limits limits) {
    // The client's author is dropped before the note is measured, as the tree decoder drops it.
    String noteId = null;
    List<String> kept = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i += 2) {
      String name = pairs.get(i);
      if (name.equals(AUTHOR_JSON)) {
        continue;
      }
      if (name.equals(ID_JSON)) {
        noteId = stringValue(pairs.get(i + 1));
      }
      kept.add(name);
      kept.add(pairs.get(i + 1));
    }
    boolean fits = NoteFields.noteBytes(kept) <= limits.maxNoteBytes() && kept.size() / 2 <= limits.maxNoteFields();
    return fits && Ids.isValid(noteId) ? new Op.Put(noteId, kept) : null;
  }

  private static Op.Patch patch(String id, List<String> pairs, Limits limits) {
    int counted = 1;
    for (int i = 0; i < pairs.size(); i += 2) {
      String name = pairs.get(i);
      if (name.equals(AUTHOR_JSON) || name.equals(ID_JSON)) {
        return null;
      }
      if (!pairs.get(i + 1).equals("null")) {
        counted++;
      }
    }
    boolean fits = NoteFields.noteBytes(pairs) <= limits.maxNoteBytes() && counted <= limits.maxNoteFields();
    return fits ? new Op.Patch(id, pairs) : null;
  }

  /** An id's value as the scanner wrote it: ids are plain characters, so a quoted id is the id in quotes. */
  private static String stringValue(String json) {
    return json.length() >= 2 && json.charAt(0) == '"' ? json.substring(1, json.length() - 1) : null;
  }

  /**
   * A flat object's fields as name/value JSON texts, written as the tree decoder writes them (quoted names,
   * numbers as Jackson's nodes print them), or null for a nested value, a repeated name, or more fields than
   * a note may hold (an author besides): the check for repeats is quadratic, so it stops there.
   */
  private static List<String> pairs(JsonParser parser, Limits limits) throws IOException {
    List<String> pairs = new ArrayList<>(16);
    String name;
    while ((name = parser.nextFieldName()) != null) {
      if (pairs.size() / 2 > limits.maxNoteFields()) {
        return null;
      }
      String quoted = FrameCodec.quote(name);
      for (int i = 0; i < pairs.size(); i += 2) {
        if (pairs.get(i).equals(quoted)) {
          return null;
        }
      }
      String value = scalar(parser, parser.nextToken());
      if (value == null) {
        return null;
      }
      pairs.add(quoted);
      pairs.add(value);
    }
    return pairs;
  }

  /**
   * An integer as its tree node prints it. JSON writes an integer one way only (no leading zeros, no '+'), so
   * the printed value is the text as sent, except "-0", whose node prints 0. The value is still read, as the
   * tree reads it, so whatever the parser refuses in reading a number the scanner leaves to the tree.
   */
  private static String intText(JsonParser parser) throws IOException {
    parser.getNumberValue();
    String text = parser.getText();
    return text.equals("-0") ? "0" : text;
  }

  /** A scalar's JSON as a tree node of it serializes, or null for a container. */
  private static String scalar(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> FrameCodec.quote(parser.getText());
      case VALUE_NUMBER_INT -> intText(parser);
      // Floats are read as exact decimals (USE_BIG_DECIMAL_FOR_FLOATS, exact node factory), printed by toString.
      case VALUE_NUMBER_FLOAT -> parser.getDecimalValue().toString();
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      case VALUE_NULL -> "null";
      default -> null;
    };
  }
}
