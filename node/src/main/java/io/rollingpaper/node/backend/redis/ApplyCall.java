package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.Epochs;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.Op;

/**
 * The arguments of {@code redis/apply.lua} (its header numbers them; a change there is a change here), after
 * the four every function shares. Its reply is an {@link ApplyReply}. One per store: the limits, the same for
 * every op, are written out once (they were an {@code Integer.toString} each, four per op).
 */
final class ApplyCall {
  private final String maxNotesPerPaper;
  private final String maxNoteBytes;
  private final String historySize;
  private final String maxNoteFields;

  ApplyCall(Limits limits) {
    maxNotesPerPaper = Integer.toString(limits.maxNotesPerPaper());
    maxNoteBytes = Integer.toString(limits.maxNoteBytes());
    historySize = Integer.toString(limits.historySize());
    maxNoteFields = Integer.toString(limits.maxNoteFields());
  }

  /**
   * @param publish PUBLISH or SPUBLISH
   * @param holdBack waiting for replicas: the function writes the delta but leaves its publication to release.lua
   */
  ScriptCall of(OpRequest request, String publish, boolean holdBack) {
    Op op = request.op();
    ScriptCall call = ScriptCall.of("apply", request.paper(), holdBack ? "-" + publish : publish,
        request.create() ? Epochs.next() : "",               // ARGV[5] epoch to create with
        maxNotesPerPaper,                                    // ARGV[6]
        maxNoteBytes,                                        // ARGV[7]
        historySize,                                         // ARGV[8]
        kind(op),                                            // ARGV[9]
        op.noteId(),                                         // ARGV[10]
        FrameCodec.quote(request.by()),                      // ARGV[11]
        FrameCodec.quoteOrNull(request.cid()),               // ARGV[12]
        request.role().restrictedToOwnNotes() ? "1" : "0",   // ARGV[13]
        op instanceof Op.Put ? "" : FrameCodec.opJson(op),   // ARGV[14]
        maxNoteFields);                                      // ARGV[15]
    if (op instanceof Op.Put put) {
      call.with(put.pairs());                              // ARGV[16..]
    } else if (op instanceof Op.Patch patch) {
      call.with(patch.pairs());
    }
    return call;
  }

  private static String kind(Op op) {
    if (op instanceof Op.Put) {
      return Op.PUT;
    }
    return op instanceof Op.Patch ? Op.PATCH : Op.DELETE;
  }
}
