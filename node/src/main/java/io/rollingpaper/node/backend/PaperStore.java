package io.rollingpaper.node.backend;

import io.rollingpaper.protocol.PaperSnapshot;
import io.vertx.core.Future;

import java.util.Map;


/**
 * The live state of papers: notes, seq, epoch, status, the held delta history and presence.
 *
 * <p><b>Atomicity and order.</b> {@link #apply} checks an op, applies it, assigns the paper's next seq,
 * appends the delta to the history and publishes it on the paper's channel as one atomic step, so
 * the order of seqs is the order of publication. A refused op changes nothing and consumes no seq.
 * A store that acknowledges only what replicas confirmed (Redis with WAIT) publishes a delta once it is
 * confirmed instead, still in seq order and each once; a delta written but not yet confirmed reaches no
 * reader, and a read that meets one confirms it first (or fails {@code unavailable}).
 *
 * <p><b>Publication.</b> Everything a store publishes (deltas, completion, deletion, presence changes,
 * signals) reaches the {@link Broker} of every node subscribed to the paper, in publication order.
 *
 * <p><b>Threading.</b> Call from the node's event loop; returned futures complete on it. No method blocks.
 *
 * <p><b>Failures.</b> A refusal fails the future with a {@link io.rollingpaper.protocol.ProtocolException};
 * a store that cannot be reached fails it with {@link StoreUnavailableException}. The op then was not
 * applied (a script either runs whole or not at all) — unless it was lost in between: the connection
 * dropped after the script ran, or replicas did not confirm it in time. Such an op is applied, and its
 * delta (carrying the sender's cid) is published once it is confirmed, or never if a failover lost it.
 */
public interface PaperStore {

  /** Reads a paper for a join or a repair: a resume when the history covers it, a snapshot otherwise. */
  Future<PaperRead> read(ReadRequest request);

  /** Applies one op; succeeds with the seq it was given. */
  Future<Applied> apply(OpRequest request);

  /** Finalizes a paper and publishes its completion; null when the paper has no live state. Idempotent. */
  Future<PaperSnapshot> complete(String paper);

  /**
   * Removes a paper's live data, publishes its deletion and remembers it (a tombstone, for TOMBSTONE_TTL):
   * until then reads never create the paper again and ops are refused {@code not_found}. False when it had
   * no live data; then the deletion is remembered only if {@code buryAnyway} (the paper lives in the archive).
   */
  Future<Boolean> delete(String paper, boolean buryAnyway);

  default Future<Boolean> delete(String paper) {
    return delete(paper, false);
  }

  /**
   * The backend's {@code PUT}: creates the paper empty with a new epoch, forgetting a tombstone. Null when
   * the paper has live state.
   */
  Future<PaperSnapshot> create(String paper);

  /**
   * Brings a paper moved out of the live store back with its epoch, seq, status and notes (no history: a
   * resume from before the move gets a snapshot). False when the paper has live state or a tombstone.
   */
  Future<Boolean> restore(PaperSnapshot paper);

  /**
   * Leases an idle paper to {@code node} for {@code leaseMs} so only it moves the paper out: succeeds with
   * the paper's state when it has had no op for {@code idleMs}, nobody is present and no other node holds
   * the lease; with null otherwise.
   */
  Future<PaperSnapshot> claimIdle(String paper, String node, long idleMs, long leaseMs);

  /**
   * Removes the live data of a paper {@code node} has claimed, if it is still at {@code epoch} and
   * {@code seq} with nobody present; true when removed. Nothing is published: for a client nothing changed.
   */
  Future<Boolean> evict(String paper, String node, String epoch, long seq);

  /** Records that these papers were used now, for {@link #idleCandidates}. */
  Future<Void> markActive(java.util.Collection<String> papers);

  /** Up to {@code max} papers marked active no later than {@code idleMs} ago. */
  Future<java.util.List<String>> idleCandidates(long idleMs, int max);

  /** Forgets a paper in the activity record (it was moved out or is gone). */
  Future<Void> forgetActive(String paper);

  /** This node's last session of {@code user} on {@code paper} closed. */
  Future<Void> leave(String paper, String user, String node);

  /**
   * The periodic round over the papers this node serves, done in one pipelined exchange: refreshes
   * this node's presence entries, removes the expired entries of nodes that stopped refreshing
   * (publishing who left), and reports each paper's head so the node can find deltas it missed.
   * Papers without live state are absent from the result.
   */
  Future<Map<String, PaperHead>> tick(String node, Map<String, Map<String, String>> namesByUserByPaper);

  /** Publishes a signal on the paper's channel; never stored. */
  Future<Void> signal(String paper, ChannelMessage.Signal signal);

  /** Succeeds when the store answers; readiness uses it. */
  Future<Void> ping();

  Future<Void> close();
}
