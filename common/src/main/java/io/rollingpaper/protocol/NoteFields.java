package io.rollingpaper.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A note as the stores keep it: top-level fields as pairs of serialized JSON (the quoted name and
 * the value's JSON text). Stores never parse a note: they add, replace and remove pairs, and a note
 * is written out by joining its pairs. That keeps every value exactly as the client sent it
 * (big numbers, empty arrays) and makes a note's serialized size a sum over its pairs.
 */
public final class NoteFields {
  public static final String AUTHOR = "author";
  public static final String ID = "id";

  private NoteFields() {
  }

  /** The note's fields as alternating name/value JSON texts, {@code author} left out. */
  public static List<String> pairs(ObjectNode note) {
    List<String> pairs = new ArrayList<>(note.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = note.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!AUTHOR.equals(field.getKey())) {
        pairs.add(FrameCodec.quote(field.getKey()));
        pairs.add(FrameCodec.write(field.getValue()));
      }
    }
    return pairs;
  }

  /** The bytes one field adds to a serialized note: name, colon, value and the comma or brace after it. */
  public static int fieldBytes(String nameJson, String valueJson) {
    return utf8Length(nameJson) + utf8Length(valueJson) + 2;
  }

  /** The serialized size of a note made of these pairs (alternating name/value). */
  public static int noteBytes(List<String> pairs) {
    int size = 1;
    for (int i = 0; i < pairs.size(); i += 2) {
      size += fieldBytes(pairs.get(i), pairs.get(i + 1));
    }
    return pairs.isEmpty() ? 2 : size;
  }

  /** Joins name/value pairs into a JSON object. */
  public static String toJson(List<String> pairs) {
    StringBuilder out = new StringBuilder(64);
    out.append('{');
    for (int i = 0; i < pairs.size(); i += 2) {
      if (i > 0) {
        out.append(',');
      }
      out.append(pairs.get(i)).append(':').append(pairs.get(i + 1));
    }
    return out.append('}').toString();
  }

  public static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
