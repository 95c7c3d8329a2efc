package io.rollingpaper.node.backend.memory;

import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.Applied;
import io.rollingpaper.node.backend.Delta;
import io.rollingpaper.node.backend.Epochs;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperMissingException;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.backend.Refusals;
import io.rollingpaper.node.backend.StoredNote;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.NoteFields;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import io.rollingpaper.protocol.PresenceEntry;
import io.rollingpaper.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The in-memory store of a single node, the default when no Redis is configured. It keeps the same
 * data and follows the same rules as the Redis scripts; the shared contract test holds both to them.
 * Not thread-safe: it lives on the node's event loop like everything that calls it.
 */
public final class MemoryStore implements PaperStore {
  private static final String AUTHOR_JSON = FrameCodec.quote(NoteFields.AUTHOR);

  private final Map<String, MemoryPaper> papers = new HashMap<>();
  /** Deleted papers to the end of their tombstone, in epoch millis. */
  private final Map<String, Long> tombstones = new HashMap<>();
  /** Papers to when they were last marked active, in epoch millis. */
  private final Map<String, Long> active = new HashMap<>();
  private final MemoryBroker broker;
  private final Limits limits;
  private final Duration completedTtl;
  private final MemoryPresence presence;
  private final Duration tombstoneTtl;
  private final LongSupplier clock;

  public MemoryStore(MemoryBroker broker, Limits limits, Duration completedTtl, Duration presenceTtl,
                     Duration tombstoneTtl, LongSupplier clock) {
    this.broker = broker;
    this.tombstoneTtl = tombstoneTtl;
    this.limits = limits;
    this.completedTtl = completedTtl;
    this.presence = new MemoryPresence(broker, presenceTtl, clock);
    this.clock = clock;
  }

  @Override
  public Future<PaperRead> read(ReadRequest request) {
    MemoryPaper paper = live(request.paper(), request.create());
    if (paper == null) {
      return Future.succeededFuture(new PaperRead.Missing(buried(request.paper())));
    }
    List<PresenceEntry> joined = new ArrayList<>();
    for (ReadRequest.PresenceJoin join : request.presences()) {
      presence.markPresent(paper, join.user(), join.name(), join.node(), joined);
    }
    presence.publishJoined(request.paper(), paper, joined);
    if (request.since() != null && paper.epoch.equals(request.epoch()) && covers(paper, request.since())) {
      List<Delta> deltas = new ArrayList<>();
      for (Delta delta : paper.history) {
        if (delta.seq() > request.since()) {
          deltas.add(delta);
        }
      }
      return Future.succeededFuture(new PaperRead.Resumed(request.paper(), paper.epoch, request.since(), paper.seq,
          paper.status, deltas, presence.list(paper), paper.presenceVersion));
    }
    return Future.succeededFuture(new PaperRead.Snapshot(snapshot(request.paper(), paper), paper.presenceVersion));
  }

  private static boolean covers(MemoryPaper paper, long since) {
    if (since == paper.seq) {
      return true;
    }
    return since < paper.seq && !paper.history.isEmpty() && paper.history.peekFirst().seq() <= since + 1;
  }

  @Override
  public Future<Applied> apply(OpRequest request) {
    try {
      return Future.succeededFuture(applyNow(request));
    } catch (ProtocolException refused) {
      return Future.failedFuture(refused);
    }
  }

  private Applied applyNow(OpRequest request) {
    // A paper that does not exist yet is created only once the op passes every check, as apply.lua does; a
    // deleted one (its tombstone), or one the op may not create, is not.
    MemoryPaper existing = live(request.paper(), false);
    if (existing == null && (!request.create() || buried(request.paper()))) {
      throw new PaperMissingException(request.paper(), buried(request.paper()));
    }
    MemoryPaper paper = existing != null ? existing : new MemoryPaper(Epochs.next());
    String id = request.op().noteId();
    LinkedHashMap<String, String> note = paper.notes.get(id);
    String byJson = FrameCodec.quote(request.by());
    if (note != null && request.role().restrictedToOwnNotes() && !byJson.equals(note.get(AUTHOR_JSON))) {
      throw Refusals.of(ErrorCode.FORBIDDEN, limits, id);
    }
    if (paper.status == PaperStatus.COMPLETED) {
      throw Refusals.of(ErrorCode.PAPER_COMPLETED, limits, id);
    }
    String opJson;
    if (request.op() instanceof Op.Put put) {
      List<String> pairs = new ArrayList<>(put.pairs());
      pairs.add(AUTHOR_JSON);
      pairs.add(note != null ? note.get(AUTHOR_JSON) : byJson);
      int size = NoteFields.noteBytes(pairs);
      // pairs hold author too, which the cap does not count.
      if (size > limits.maxNoteBytes() || pairs.size() / 2 - 1 > limits.maxNoteFields()) {
        throw Refusals.of(ErrorCode.TOO_LARGE, limits, id);
      }
      if (note == null && paper.notes.size() >= limits.maxNotesPerPaper()) {
        throw Refusals.of(ErrorCode.PAPER_FULL, limits, id);
      }
      LinkedHashMap<String, String> stored = new LinkedHashMap<>();
      for (int i = 0; i < pairs.size(); i += 2) {
        stored.put(pairs.get(i), pairs.get(i + 1));
      }
      create(request.paper(), paper, existing);
      paper.notes.put(id, stored);
      paper.noteSizes.put(id, size);
      opJson = FrameCodec.putOpJson(paper.noteJson(id));
    } else if (request.op() instanceof Op.Patch patch) {
      if (note == null) {
        throw Refusals.of(ErrorCode.NOT_FOUND, limits, id);
      }
      List<String> pairs = patch.pairs();
      int size = paper.noteSizes.get(id);
      int fields = note.size() - 1;
      for (int i = 0; i < pairs.size(); i += 2) {
        String old = note.get(pairs.get(i));
        if (old != null) {
          size -= NoteFields.fieldBytes(pairs.get(i), old);
          fields--;
        }
        if (!"null".equals(pairs.get(i + 1))) {
          size += NoteFields.fieldBytes(pairs.get(i), pairs.get(i + 1));
          fields++;
        }
      }
      if (size > limits.maxNoteBytes() || fields > limits.maxNoteFields()) {
        throw Refusals.of(ErrorCode.TOO_LARGE, limits, id);
      }
      for (int i = 0; i < pairs.size(); i += 2) {
        if ("null".equals(pairs.get(i + 1))) {
          note.remove(pairs.get(i));
        } else {
          note.put(pairs.get(i), pairs.get(i + 1));
        }
      }
      paper.noteSizes.put(id, size);
      opJson = FrameCodec.opJson(patch);
    } else {
      if (note == null) {
        throw Refusals.of(ErrorCode.NOT_FOUND, limits, id);
      }
      paper.notes.remove(id);
      paper.noteSizes.remove(id);
      opJson = FrameCodec.opJson(request.op());
    }
    paper.seq++;
    paper.lastOpAt = clock.getAsLong();
    String frame = FrameCodec.delta(request.paper(), paper.seq, request.by(), request.cid(), opJson);
    Buffer deltaFrame = Buffer.buffer(frame);
    paper.history.addLast(new Delta(paper.seq, deltaFrame));
    while (paper.history.size() > limits.historySize()) {
      paper.history.removeFirst();
    }
    broker.publish(request.paper(), new ChannelMessage.Delta(paper.epoch, paper.seq, deltaFrame));
    return new Applied(paper.seq, paper.epoch);
  }

  @Override
  public Future<PaperSnapshot> complete(String paperId) {
    MemoryPaper paper = live(paperId, false);
    if (paper == null) {
      return Future.succeededFuture(null);
    }
    if (paper.status == PaperStatus.OPEN) {
      paper.status = PaperStatus.COMPLETED;
      paper.expiresAt = clock.getAsLong() + completedTtl.toMillis();
      broker.publish(paperId, new ChannelMessage.Completed(paper.epoch, paper.seq,
          Buffer.buffer(FrameCodec.completed(paperId, paper.seq))));
    }
    return Future.succeededFuture(snapshot(paperId, paper));
  }

  @Override
  public Future<Boolean> delete(String paperId, boolean buryAnyway) {
    MemoryPaper paper = live(paperId, false);
    if (paper != null || buryAnyway) {
      tombstones.put(paperId, clock.getAsLong() + tombstoneTtl.toMillis());
    }
    if (paper == null) {
      return Future.succeededFuture(false);
    }
    papers.remove(paperId);
    broker.publish(paperId, new ChannelMessage.Deleted(paper.epoch));
    return Future.succeededFuture(true);
  }

  @Override
  public Future<PaperSnapshot> create(String paperId) {
    if (live(paperId, false) != null) {
      return Future.succeededFuture(null);
    }
    tombstones.remove(paperId);
    return Future.succeededFuture(snapshot(paperId, live(paperId, true)));
  }

  @Override
  public Future<Boolean> restore(PaperSnapshot archived) {
    String paperId = archived.paper();
    if (live(paperId, false) != null || buried(paperId)) {
      return Future.succeededFuture(false);
    }
    MemoryPaper paper = new MemoryPaper(archived.epoch());
    paper.seq = archived.seq();
    paper.status = archived.status();
    paper.lastOpAt = clock.getAsLong();
    if (archived.status() == PaperStatus.COMPLETED) {
      paper.expiresAt = clock.getAsLong() + completedTtl.toMillis();
    }
    for (String noteJson : archived.notesJson()) {
      StoredNote note = StoredNote.parse(noteJson);
      LinkedHashMap<String, String> stored = new LinkedHashMap<>();
      for (int i = 0; i < note.pairs().size(); i += 2) {
        stored.put(note.pairs().get(i), note.pairs().get(i + 1));
      }
      paper.notes.put(note.id(), stored);
      paper.noteSizes.put(note.id(), note.bytes());
    }
    papers.put(paperId, paper);
    return Future.succeededFuture(true);
  }

  @Override
  public Future<PaperSnapshot> claimIdle(String paperId, String node, long idleMs, long leaseMs) {
    MemoryPaper paper = live(paperId, false);
    long now = clock.getAsLong();
    if (paper == null || paper.status != PaperStatus.OPEN || now - paper.lastOpAt < idleMs
        || !presence.list(paper).isEmpty() || (paper.leaseUntil > now && !node.equals(paper.leaseNode))) {
      return Future.succeededFuture(null);
    }
    paper.leaseNode = node;
    paper.leaseUntil = now + leaseMs;
    return Future.succeededFuture(snapshot(paperId, paper));
  }

  @Override
  public Future<Boolean> evict(String paperId, String node, String epoch, long seq) {
    MemoryPaper paper = live(paperId, false);
    long now = clock.getAsLong();
    if (paper == null || !paper.epoch.equals(epoch) || paper.seq != seq || paper.status != PaperStatus.OPEN
        || !presence.list(paper).isEmpty() || !node.equals(paper.leaseNode) || paper.leaseUntil <= now) {
      return Future.succeededFuture(false);
    }
    papers.remove(paperId);
    return Future.succeededFuture(true);
  }

  @Override
  public Future<Void> markActive(Collection<String> paperIds) {
    long now = clock.getAsLong();
    paperIds.forEach(id -> active.put(id, now));
    return Future.succeededFuture();
  }

  @Override
  public Future<List<String>> idleCandidates(long idleMs, int max) {
    long before = clock.getAsLong() - idleMs;
    return Future.succeededFuture(active.entrySet().stream().filter(e -> e.getValue() <= before)
        .sorted(Map.Entry.comparingByValue()).limit(max).map(Map.Entry::getKey).toList());
  }

  @Override
  public Future<Void> forgetActive(String paperId) {
    active.remove(paperId);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> leave(String paperId, String user, String node) {
    MemoryPaper paper = live(paperId, false);
    if (paper != null) {
      presence.leave(paperId, paper, user, node);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Map<String, PaperHead>> tick(String node, Map<String, Map<String, String>> namesByUserByPaper) {
    Map<String, PaperHead> heads = new HashMap<>();
    namesByUserByPaper.forEach((paperId, namesByUser) -> {
      MemoryPaper paper = live(paperId, false);
      if (paper == null) {
        return;
      }
      List<PresenceEntry> joined = new ArrayList<>();
      namesByUser.forEach((user, name) -> presence.markPresent(paper, user, name, node, joined));
      presence.publishJoined(paperId, paper, joined);
      presence.expire(paperId, paper);
      heads.put(paperId, new PaperHead(paper.epoch, paper.seq, paper.status));
    });
    return Future.succeededFuture(heads);
  }

  @Override
  public Future<Void> signal(String paper, ChannelMessage.Signal signal) {
    broker.publish(paper, signal);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Keeps {@code paper} when it was made for an op ({@code existing} null) that has passed its checks. */
  private void create(String paperId, MemoryPaper paper, MemoryPaper existing) {
    if (existing == null) {
      papers.put(paperId, paper);
    }
  }

  private MemoryPaper live(String paperId, boolean create) {
    MemoryPaper paper = papers.get(paperId);
    if (paper != null && paper.expiresAt > 0 && paper.expiresAt <= clock.getAsLong()) {
      papers.remove(paperId);
      paper = null;
    }
    if (paper == null && create && !buried(paperId)) {
      paper = new MemoryPaper(Epochs.next());
      paper.lastOpAt = clock.getAsLong();
      papers.put(paperId, paper);
    }
    return paper;
  }

  /** Whether the paper's deletion is still remembered. */
  private boolean buried(String paperId) {
    Long until = tombstones.get(paperId);
    if (until != null && until <= clock.getAsLong()) {
      tombstones.remove(paperId);
      until = null;
    }
    return until != null;
  }

  private PaperSnapshot snapshot(String paperId, MemoryPaper paper) {
    return new PaperSnapshot(paperId, paper.epoch, paper.seq, paper.status, paper.notesJson(), presence.list(paper));
  }
}
