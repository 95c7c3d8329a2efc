package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.StoredNote;
import io.rollingpaper.protocol.PaperSnapshot;

import java.time.Duration;

/**
 * The arguments of the scripts that begin and end a paper's live state: {@code redis/create.lua},
 * {@code restore.lua}, {@code claim.lua}, {@code evict.lua}, {@code complete.lua} and {@code delete.lua} (each
 * script's header numbers them; a change there is a change here), after the four every function shares.
 * create, claim and complete reply a {@link PaperReply}; restore, evict and delete reply 1 (done) or 0.
 */
final class LifecycleCalls {
  private LifecycleCalls() {
  }

  /** ARGV[5] the new epoch. */
  static ScriptCall create(String paper, String epoch, String publish) {
    return ScriptCall.of("create", paper, publish, epoch);
  }

  /** ARGV[5] epoch, ARGV[6] seq, then per note: id, serialized size, the number n of items, the n items. */
  static ScriptCall restore(PaperSnapshot archived, String publish) {
    ScriptCall call = ScriptCall.of("restore", archived.paper(), publish, archived.epoch(),
        Long.toString(archived.seq()));
    for (String noteJson : archived.notesJson()) {
      StoredNote note = StoredNote.parse(noteJson);
      call.args().add(note.id());
      call.args().add(Integer.toString(note.bytes()));
      call.args().add(Integer.toString(note.pairs().size()));
      call.args().addAll(note.pairs());
    }
    return call;
  }

  /** ARGV[5] the node taking the lease, ARGV[6] idle time (ms), ARGV[7] lease (ms). */
  static ScriptCall claim(String paper, String node, long idleMs, long leaseMs, String publish) {
    return ScriptCall.of("claim", paper, publish, node, Long.toString(idleMs), Long.toString(leaseMs));
  }

  /** ARGV[5] the node holding the lease, ARGV[6] epoch and ARGV[7] seq the paper must still be at. */
  static ScriptCall evict(String paper, String node, String epoch, long seq, String publish) {
    return ScriptCall.of("evict", paper, publish, node, epoch, Long.toString(seq));
  }

  /** ARGV[5] how long (s) the completed paper's live data stays. */
  static ScriptCall complete(String paper, Duration completedTtl, String publish) {
    return ScriptCall.of("complete", paper, publish, Long.toString(Math.max(1, completedTtl.toSeconds())));
  }

  /** ARGV[5] the tombstone's life (ms), ARGV[6] '1' to bury a paper without live data too. */
  static ScriptCall delete(String paper, Duration tombstoneTtl, boolean buryAnyway, String publish) {
    return ScriptCall.of("delete", paper, publish, Long.toString(Math.max(1, tombstoneTtl.toMillis())),
        buryAnyway ? "1" : "0");
  }
}
