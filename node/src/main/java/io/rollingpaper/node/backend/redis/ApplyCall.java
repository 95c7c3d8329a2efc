package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.Epochs;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.Op;

/**
 * The arguments of {@code redis/apply.lua} (its header numbers them; a change there is a change here), after
 * the four every function shares. Its reply is an {@link ApplyReply}.
 */
final class ApplyCall {
  private ApplyCall() {
  }

  /**
   * @param publish PUBLISH or SPUBLISH
   * @param holdBack waiting for replicas: the function writes the delta but leaves its publication to release.lua
   */
  static ScriptCall of(OpRequest request, Limits limits, String publish, boolean holdBack) {
    Op op = request.op();
    ScriptCall call = ScriptCall.of("apply", request.paper(), holdBack ? "-" + publish : publish,
        request.create() ? Epochs.next() : "",               // ARGV[5] epoch to create with
        Integer.toString(limits.maxNotesPerPaper()),         // ARGV[6]
        Integer.toString(limits.maxNoteBytes()),             // ARGV[7]
        Integer.toString(limits.historySize()),              // ARGV[8]
        kind(op),                                            // ARGV[9]
        op.noteId(),                                         // ARGV[10]
        FrameCodec.quote(request.by()),                      // ARGV[11]
        FrameCodec.quoteOrNull(request.cid()),               // ARGV[12]
        request.role().restrictedToOwnNotes() ? "1" : "0",   // ARGV[13]
        op instanceof Op.Put ? "" : FrameCodec.opJson(op),   // ARGV[14]
        Integer.toString(limits.maxNoteFields()));           // ARGV[15]
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
