package io.rollingpaper.node.backend;

import io.rollingpaper.node.config.NodeConfig;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.PaperStatus;
import io.rollingpaper.protocol.PresenceEntry;
import io.rollingpaper.protocol.ProtocolException;
import io.rollingpaper.protocol.Role;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules every {@link PaperStore} and its {@link io.rollingpaper.node.backend.Broker} keep, run
 * against each implementation: the in-memory one and Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
abstract class PaperStoreContract {
  static final int MAX_NOTES = 3;
  static final int MAX_NOTE_BYTES = 200;
  static final int MAX_NOTE_FIELDS = 6;

  private Backend backend;
  private Context context;
  private final List<ChannelMessage> messages = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  String paper;

  private record Waiter(Predicate<ChannelMessage> predicate, Promise<ChannelMessage> promise) {
  }

  abstract Map<String, String> backendEnv();

  @BeforeEach
  void createBackend(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env = new HashMap<>(backendEnv());
    env.put("MAX_NOTES_PER_PAPER", Integer.toString(MAX_NOTES));
    env.put("MAX_NOTE_BYTES", Integer.toString(MAX_NOTE_BYTES));
    env.put("MAX_NOTE_FIELDS", Integer.toString(MAX_NOTE_FIELDS));
    env.put("MAX_FRAME_BYTES", "4096");
    env.put("HISTORY_SIZE", "5");
    env.put("PRESENCE_TTL", "1s");
    env.put("PAPER_CHECK_INTERVAL", "500ms");
    env.put("COMPLETED_TTL", "1s");
    env.put("AUTH_DISABLED", "true");
    NodeConfig config = NodeConfig.fromEnv(env);
    paper = "s-" + UUID.randomUUID().toString().substring(0, 8);
    context = vertx.getOrCreateContext();
    onContext(() -> Backend.create(vertx, context, config)).onComplete(ctx.succeeding(created -> {
      backend = created;
      BrokerListener listener = new BrokerListener() {
        @Override
        public void onMessage(String channelPaper, ChannelMessage message) {
          received(channelPaper, message);
        }

        @Override
        public void onResubscribed() {
        }
      };
      onContext(() -> backend.start(listener))
          .compose(started -> onContext(() -> backend.broker().subscribe(paper)))
          .onComplete(ctx.succeedingThenComplete());
    }));
  }

  @AfterEach
  void closeBackend(VertxTestContext ctx) {
    onContext(() -> backend.close()).onComplete(ctx.succeedingThenComplete());
  }

  /** Runs on the backend's event loop, as the node does. */
  <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(promise));
    return promise.future();
  }

  PaperStore store() {
    return backend.store();
  }

  private synchronized void received(String channelPaper, ChannelMessage message) {
    if (!channelPaper.equals(paper)) {
      return;
    }
    messages.add(message);
    List<Waiter> matched = new ArrayList<>();
    waiters.removeIf(w -> {
      if (w.predicate.test(message)) {
        matched.add(w);
        return true;
      }
      return false;
    });
    matched.forEach(w -> w.promise.complete(message));
  }

  /** The first message of that kind matching {@code predicate}, published already or to come. */
  synchronized <T extends ChannelMessage> Future<T> published(Class<T> kind, Predicate<T> predicate) {
    Predicate<ChannelMessage> matches = m -> kind.isInstance(m) && predicate.test(kind.cast(m));
    for (ChannelMessage message : messages) {
      if (matches.test(message)) {
        return Future.succeededFuture(kind.cast(message));
      }
    }
    Promise<ChannelMessage> promise = Promise.promise();
    waiters.add(new Waiter(matches, promise));
    return promise.future().map(kind::cast);
  }

  <T extends ChannelMessage> Future<T> published(Class<T> kind) {
    return published(kind, m -> true);
  }

  synchronized <T extends ChannelMessage> List<T> messagesOf(Class<T> kind) {
    return messages.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  Future<Applied> apply(Op op, String by, Role role) {
    return onContext(() -> store().apply(new OpRequest(paper, op, by, "cid-" + by, role)));
  }

  Future<Applied> put(String id, String by, Object... fields) {
    JsonObject note = new JsonObject().put("id", id);
    for (int i = 0; i < fields.length; i += 2) {
      note.put((String) fields[i], fields[i + 1]);
    }
    return apply(FrameCodec.decodeOp(FrameCodec.parse(new JsonObject().put("kind", "note.put").put("note", note).encode()),
        io.rollingpaper.protocol.Limits.DEFAULT), by, Role.OWNER);
  }

  static Op patch(String id, JsonObject fields) {
    return FrameCodec.decodeOp(FrameCodec.parse(new JsonObject().put("kind", "note.patch").put("id", id)
        .put("fields", fields).encode()), io.rollingpaper.protocol.Limits.DEFAULT);
  }

  static Op delete(String id) {
    return new Op.Delete(id);
  }

  Future<PaperRead> read(ReadRequest request) {
    return onContext(() -> store().read(request));
  }

  /** Two snapshots hold the same notes, whatever their order. */
  static final class PaperSnapshotAssert {
    static void sameNotes(io.rollingpaper.protocol.PaperSnapshot actual, io.rollingpaper.protocol.PaperSnapshot expected) {
      assertThat(actual.epoch()).isEqualTo(expected.epoch());
      assertThat(actual.seq()).isEqualTo(expected.seq());
      assertThat(actual.notesJson().stream().map(JsonObject::new).toList())
          .containsExactlyInAnyOrderElementsOf(expected.notesJson().stream().map(JsonObject::new).toList());
    }
  }

  static Future<Void> refusedWith(Future<?> future, ErrorCode code) {
    return future.transform(result -> {
      assertThat(result.failed()).as("expected " + code).isTrue();
      assertThat(result.cause()).isInstanceOf(ProtocolException.class);
      assertThat(((ProtocolException) result.cause()).code()).isEqualTo(code);
      return Future.succeededFuture();
    });
  }

  // ---- ops ----------------------------------------------------------------------------------

  @Test
  void eachAcceptedOpGetsTheNextSeqAndIsPublishedInThatOrder(VertxTestContext ctx) {
    put("a", "ann").compose(first -> {
      assertThat(first.seq()).isEqualTo(1);
      return apply(patch("a", new JsonObject().put("t", 1)), "ann", Role.OWNER);
    }).compose(second -> {
      assertThat(second.seq()).isEqualTo(2);
      return apply(delete("a"), "ann", Role.OWNER);
    }).compose(third -> {
      assertThat(third.seq()).isEqualTo(3);
      return published(ChannelMessage.Delta.class, m -> m.seq() == 3).map(third);
    }).map(third -> {
      List<ChannelMessage.Delta> deltas = messagesOf(ChannelMessage.Delta.class);
      assertThat(deltas).extracting(ChannelMessage.Delta::seq).containsExactly(1L, 2L, 3L);
      assertThat(deltas).extracting(ChannelMessage.Delta::epoch).containsOnly(third.epoch());
      JsonObject frame = new JsonObject(deltas.get(0).frame().toString());
      assertThat(frame.getString("type")).isEqualTo("delta");
      assertThat(frame.getString("cid")).isEqualTo("cid-ann");
      assertThat(frame.getJsonObject("op").getJsonObject("note").getString("author")).isEqualTo("ann");
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRefusedOpChangesNothingAndConsumesNoSeq(VertxTestContext ctx) {
    refusedWith(apply(patch("missing", new JsonObject().put("t", 1)), "ann", Role.OWNER), ErrorCode.NOT_FOUND)
        .compose(ignored -> refusedWith(apply(delete("missing"), "ann", Role.OWNER), ErrorCode.NOT_FOUND))
        .compose(ignored -> put("a", "ann"))
        .map(applied -> {
          assertThat(applied.seq()).isEqualTo(1);
          assertThat(messagesOf(ChannelMessage.Delta.class)).hasSizeLessThanOrEqualTo(1);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aWriterChangesOnlyItsOwnNotes(VertxTestContext ctx) {
    put("a", "ann")
        .compose(ignored -> refusedWith(apply(patch("a", new JsonObject().put("t", 1)), "bob", Role.WRITER), ErrorCode.FORBIDDEN))
        .compose(ignored -> refusedWith(apply(delete("a"), "bob", Role.WRITER), ErrorCode.FORBIDDEN))
        .compose(ignored -> apply(idOnly("a"), "bob", Role.WRITER).transform(r -> {
          assertThat(r.failed()).as("replacing another's note").isTrue();
          return Future.succeededFuture();
        }))
        .compose(ignored -> apply(patch("a", new JsonObject().put("t", 1)), "ann", Role.WRITER))
        .compose(ignored -> apply(patch("a", new JsonObject().put("t", 2)), "owner", Role.OWNER))
        .compose(ignored -> apply(idOnly("b"), "bob", Role.WRITER))
        .map(applied -> {
          assertThat(applied.seq()).isEqualTo(4);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  /** A put of a note with just an id, built without the codec. */
  static Op.Put idOnly(String id) {
    return new Op.Put(id, List.of(FrameCodec.quote("id"), FrameCodec.quote(id)));
  }

  @Test
  void limitsOnNotesAndSizesHold(VertxTestContext ctx) {
    put("a", "ann").compose(ignored -> put("b", "ann")).compose(ignored -> put("c", "ann"))
        .compose(ignored -> refusedWith(put("d", "ann"), ErrorCode.PAPER_FULL))
        .compose(ignored -> put("a", "ann", "t", "replacing is fine when full"))
        .compose(ignored -> refusedWith(put("b", "ann", "t", "x".repeat(MAX_NOTE_BYTES)), ErrorCode.TOO_LARGE))
        .compose(ignored -> apply(patch("b", new JsonObject().put("t", "y".repeat(100))), "ann", Role.OWNER))
        .compose(ignored -> refusedWith(apply(patch("b", new JsonObject().put("u", "z".repeat(100))), "ann", Role.OWNER),
            ErrorCode.TOO_LARGE))
        .compose(ignored -> apply(patch("b", new JsonObject().put("t", (Object) null).put("u", "z".repeat(100))), "ann",
            Role.OWNER))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** The note's fields as {@code put} takes them: {@code count} fields after the id, f1=1, f2=2, .... */
  static Object[] numberedFields(int count) {
    Object[] fields = new Object[count * 2];
    for (int i = 0; i < count; i++) {
      fields[2 * i] = "f" + (i + 1);
      fields[2 * i + 1] = i + 1;
    }
    return fields;
  }

  Future<String> noteJson(String id) {
    return read(ReadRequest.snapshot(paper)).map(read -> ((PaperRead.Snapshot) read).snapshot().notesJson().stream()
        .filter(note -> id.equals(new JsonObject(note).getString("id"))).findFirst().orElse(null));
  }

  @Test
  void aNoteHoldsAtMostTheCapOfFieldsAfterAPutOrAPatch(VertxTestContext ctx) {
    int atCap = MAX_NOTE_FIELDS - 1;
    String full = "{\"id\":\"a\",\"f1\":1,\"f2\":2,\"f3\":3,\"f4\":4,\"f5\":5,\"author\":\"ann\"}";
    refusedWith(put("a", "ann", numberedFields(atCap + 1)), ErrorCode.TOO_LARGE)
        .compose(ignored -> put("a", "ann", numberedFields(atCap)))
        .compose(ignored -> noteJson("a"))
        .compose(note -> {
          assertThat(note).as("id and %d fields, author not counted", atCap).isEqualTo(full);
          return refusedWith(apply(patch("a", new JsonObject().put("g", 1)), "ann", Role.OWNER), ErrorCode.TOO_LARGE);
        })
        .compose(ignored -> noteJson("a"))
        .compose(note -> {
          assertThat(note).as("a refused patch leaves the note as it was").isEqualTo(full);
          return apply(patch("a", new JsonObject().put("f1", (Object) null).put("g", 1)), "ann", Role.OWNER);
        })
        .compose(swapped -> {
          assertThat(swapped.seq()).as("only the accepted put and patch took a seq").isEqualTo(2);
          return noteJson("a");
        })
        .map(note -> {
          assertThat(note).isEqualTo("{\"id\":\"a\",\"f2\":2,\"f3\":3,\"f4\":4,\"f5\":5,\"author\":\"ann\",\"g\":1}");
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRefusedOpDoesNotCreateThePaper(VertxTestContext ctx) {
    refusedWith(apply(patch("a", new JsonObject().put("t", 1)), "ann", Role.OWNER), ErrorCode.NOT_FOUND)
        .compose(ignored -> refusedWith(apply(delete("a"), "ann", Role.OWNER), ErrorCode.NOT_FOUND))
        .compose(ignored -> refusedWith(put("a", "ann", "t", "x".repeat(MAX_NOTE_BYTES)), ErrorCode.TOO_LARGE))
        .compose(ignored -> read(ReadRequest.snapshot(paper)))
        .compose(read -> {
          assertThat(read).as("no paper half-created by refused ops").isInstanceOf(PaperRead.Missing.class);
          return put("a", "ann");
        })
        .map(created -> {
          assertThat(created.seq()).isEqualTo(1);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aCompletedPaperRefusesOpsAfterForbiddenAndExpires(Vertx vertx, VertxTestContext ctx) {
    put("a", "ann")
        .compose(ignored -> onContext(() -> store().complete(paper)))
        .compose(snapshot -> {
          assertThat(snapshot.status()).isEqualTo(PaperStatus.COMPLETED);
          assertThat(snapshot.seq()).isEqualTo(1);
          return published(ChannelMessage.Completed.class);
        })
        .compose(completed -> {
          assertThat(completed.seq()).isEqualTo(1);
          return refusedWith(put("b", "ann"), ErrorCode.PAPER_COMPLETED);
        })
        .compose(ignored -> refusedWith(apply(delete("a"), "bob", Role.WRITER), ErrorCode.FORBIDDEN))
        .compose(ignored -> onContext(() -> store().complete(paper)))
        .compose(again -> {
          assertThat(again.status()).isEqualTo(PaperStatus.COMPLETED);
          Promise<Void> later = Promise.promise();
          vertx.setTimer(1500, t -> later.complete());
          return later.future();
        })
        .compose(ignored -> read(ReadRequest.snapshot(paper)))
        .map(read -> {
          assertThat(read).as("a completed paper's live data expires after COMPLETED_TTL")
              .isInstanceOf(PaperRead.Missing.class);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  // ---- reads --------------------------------------------------------------------------------

  @Test
  void aReadCreatesThePaperOnlyWhenAsked(VertxTestContext ctx) {
    read(ReadRequest.snapshot(paper)).compose(missing -> {
      assertThat(missing).isInstanceOf(PaperRead.Missing.class);
      return read(new ReadRequest(paper, true, null, null, null));
    }).compose(created -> {
      PaperRead.Snapshot snapshot = (PaperRead.Snapshot) created;
      assertThat(snapshot.snapshot().seq()).isZero();
      assertThat(snapshot.snapshot().epoch()).isNotEmpty();
      return read(ReadRequest.snapshot(paper)).map(again -> {
        assertThat(((PaperRead.Snapshot) again).snapshot().epoch()).isEqualTo(snapshot.snapshot().epoch());
        return null;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aResumeIsServedFromTheHistoryWhenItCoversTheGap(VertxTestContext ctx) {
    put("a", "ann").compose(ignored -> put("b", "ann")).compose(ignored -> put("c", "ann"))
        .compose(last -> read(ReadRequest.repair(paper, 1, last.epoch())).compose(read -> {
          PaperRead.Resumed resumed = (PaperRead.Resumed) read;
          assertThat(resumed.from()).isEqualTo(1);
          assertThat(resumed.seq()).isEqualTo(3);
          assertThat(resumed.deltas()).extracting(Delta::seq).containsExactly(2L, 3L);
          assertThat(new JsonObject(resumed.deltas().get(1).frame().toString()).getLong("seq")).isEqualTo(3);
          return read(ReadRequest.repair(paper, 3, last.epoch()));
        }).compose(read -> {
          assertThat(((PaperRead.Resumed) read).deltas()).isEmpty();
          return read(ReadRequest.repair(paper, 4, last.epoch()));
        }).compose(beyond -> {
          assertThat(beyond).as("since beyond seq").isInstanceOf(PaperRead.Snapshot.class);
          return read(ReadRequest.repair(paper, 1, "another-epoch"));
        })).map(other -> {
          assertThat(other).as("another epoch").isInstanceOf(PaperRead.Snapshot.class);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aResumeOlderThanTheHistoryGetsASnapshot(VertxTestContext ctx) {
    Future<Applied> chain = put("a", "ann");
    for (int i = 0; i < 250; i++) {
      int value = i;
      chain = chain.compose(ignored -> apply(patch("a", new JsonObject().put("v", value)), "ann", Role.OWNER));
    }
    chain.compose(last -> read(ReadRequest.repair(paper, 1, last.epoch())))
        .map(read -> {
          assertThat(read).isInstanceOf(PaperRead.Snapshot.class);
          assertThat(((PaperRead.Snapshot) read).snapshot().seq()).isEqualTo(251);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void deletingRemovesThePaperAndOnlyCreateBringsItBackWithANewEpoch(VertxTestContext ctx) {
    put("a", "ann").compose(first -> onContext(() -> store().delete(paper)).compose(deleted -> {
      assertThat(deleted).isTrue();
      return published(ChannelMessage.Deleted.class);
    }).compose(message -> {
      assertThat(message.epoch()).isEqualTo(first.epoch());
      return onContext(() -> store().delete(paper));
    }).compose(again -> {
      assertThat(again).isFalse();
      return onContext(() -> store().create(paper));
    }).compose(created -> {
      assertThat(created.seq()).isZero();
      assertThat(created.notesJson()).isEmpty();
      assertThat(created.epoch()).isNotEqualTo(first.epoch());
      return put("a", "ann").map(recreated -> {
        assertThat(recreated.seq()).isEqualTo(1);
        assertThat(recreated.epoch()).isEqualTo(created.epoch());
        return null;
      });
    })).onComplete(ctx.succeedingThenComplete());
  }

  // ---- the lifecycle: tombstones, creation, idle papers ---------------------------------------

  @Test
  void aDeletedPaperIsNeverCreatedAgainByReadsRepairsOrOps(VertxTestContext ctx) {
    put("a", "ann").compose(first -> onContext(() -> store().delete(paper))
        .compose(deleted -> read(ReadRequest.joins(paper, List.of(new ReadRequest.PresenceJoin("ann", "Ann", "n1")))))
        .compose(join -> {
          assertThat(join).isEqualTo(new PaperRead.Missing(true));
          return read(ReadRequest.repair(paper, 1, first.epoch()));
        })
        .compose(repair -> {
          assertThat(repair).isEqualTo(new PaperRead.Missing(true));
          return put("b", "ann").transform(result -> {
            assertThat(result.cause()).isInstanceOf(PaperMissingException.class);
            assertThat(((PaperMissingException) result.cause()).deleted()).isTrue();
            assertThat(((ProtocolException) result.cause()).code()).isEqualTo(ErrorCode.NOT_FOUND);
            return read(ReadRequest.snapshot(paper));
          });
        })
        .map(after -> {
          assertThat(after).isEqualTo(new PaperRead.Missing(true));
          assertThat(messagesOf(ChannelMessage.Delta.class)).hasSize(1);
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void createAnswersNullWhenThePaperExists(VertxTestContext ctx) {
    onContext(() -> store().create(paper)).compose(created -> {
      assertThat(created.status()).isEqualTo(PaperStatus.OPEN);
      return put("a", "ann");
    }).compose(applied -> onContext(() -> store().create(paper)))
        .compose(again -> {
          assertThat(again).isNull();
          return read(ReadRequest.snapshot(paper));
        }).map(read -> {
          assertThat(((PaperRead.Snapshot) read).snapshot().seq()).as("create changed nothing").isEqualTo(1);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anOpToldNotToCreateIsRefusedAsMissingAndStoresNothing(VertxTestContext ctx) {
    JsonObject note = new JsonObject().put("id", "a");
    Op op = FrameCodec.decodeOp(FrameCodec.parse(new JsonObject().put("kind", "note.put").put("note", note).encode()),
        io.rollingpaper.protocol.Limits.DEFAULT);
    onContext(() -> store().apply(new OpRequest(paper, op, "ann", "c1", Role.OWNER, false))).transform(result -> {
      assertThat(result.cause()).isInstanceOf(PaperMissingException.class);
      assertThat(((PaperMissingException) result.cause()).deleted()).isFalse();
      return read(ReadRequest.snapshot(paper));
    }).map(read -> {
      assertThat(read).isEqualTo(new PaperRead.Missing(false));
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aPaperWithoutLiveDataIsBuriedOnlyWhenAsked(VertxTestContext ctx) {
    onContext(() -> store().delete(paper, false)).compose(none -> {
      assertThat(none).isFalse();
      return read(ReadRequest.snapshot(paper));
    }).compose(read -> {
      assertThat(read).isEqualTo(new PaperRead.Missing(false));
      return onContext(() -> store().delete(paper, true));
    }).compose(none -> {
      assertThat(none).isFalse();
      return read(new ReadRequest(paper, true, null, null, null));
    }).map(read -> {
      assertThat(read).isEqualTo(new PaperRead.Missing(true));
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anIdlePaperIsClaimedByOneNodeEvictedOnlyIfUnchangedAndRestoredIntact(VertxTestContext ctx) {
    put("a", "ann", "text", "hello").compose(ignored -> put("b", "bob", "n", 1.5)).compose(last ->
        onContext(() -> store().claimIdle(paper, "n1", 0, 10_000)).compose(claimed -> {
          assertThat(claimed.seq()).isEqualTo(2);
          assertThat(claimed.epoch()).isEqualTo(last.epoch());
          return onContext(() -> store().claimIdle(paper, "n2", 0, 10_000)).compose(other -> {
            assertThat(other).as("the lease keeps a second node out").isNull();
            return put("c", "ann");
          }).compose(op -> onContext(() -> store().evict(paper, "n1", claimed.epoch(), claimed.seq())))
              .compose(evicted -> {
                assertThat(evicted).as("an op came after the claim").isFalse();
                return onContext(() -> store().claimIdle(paper, "n1", 0, 10_000));
              });
        }).compose(claimed -> onContext(() -> store().evict(paper, "n2", claimed.epoch(), claimed.seq()))
            .compose(wrongNode -> {
              assertThat(wrongNode).isFalse();
              return onContext(() -> store().evict(paper, "n1", claimed.epoch(), claimed.seq()));
            }).compose(evicted -> {
              assertThat(evicted).isTrue();
              return read(ReadRequest.snapshot(paper));
            }).compose(gone -> {
              assertThat(gone).isEqualTo(new PaperRead.Missing(false));
              return onContext(() -> store().restore(claimed));
            }).compose(restored -> {
              assertThat(restored).isTrue();
              return onContext(() -> store().restore(claimed));
            }).compose(twice -> {
              assertThat(twice).as("restore never overwrites live data").isFalse();
              return read(ReadRequest.repair(paper, claimed.seq(), claimed.epoch()));
            }).compose(resumed -> {
              assertThat(resumed).isInstanceOf(PaperRead.Resumed.class);
              return read(ReadRequest.snapshot(paper));
            }).compose(read -> {
              PaperSnapshotAssert.sameNotes(((PaperRead.Snapshot) read).snapshot(), claimed);
              return apply(patch("a", new JsonObject().put("text", "again")), "ann", Role.WRITER);
            }).map(next -> {
              assertThat(next.seq()).isEqualTo(claimed.seq() + 1);
              assertThat(next.epoch()).isEqualTo(claimed.epoch());
              return null;
            }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aPaperWithSomeonePresentOrRecentOpsIsNotClaimed(VertxTestContext ctx) {
    put("a", "ann").compose(ignored -> onContext(() -> store().claimIdle(paper, "n1", 60_000, 10_000)))
        .compose(recent -> {
          assertThat(recent).as("an op within the idle time").isNull();
          return joinAs("ann", "n1");
        })
        .compose(joined -> onContext(() -> store().claimIdle(paper, "n1", 0, 10_000)))
        .map(present -> {
          assertThat(present).as("someone is present").isNull();
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void papersMarkedActiveBecomeIdleCandidatesUntilForgotten(VertxTestContext ctx) {
    onContext(() -> store().markActive(List.of(paper))).compose(marked ->
        onContext(() -> store().idleCandidates(60_000, 1000))).compose(recent -> {
          assertThat(recent).doesNotContain(paper);
          return onContext(() -> store().idleCandidates(0, 100_000));
        }).compose(idle -> {
          assertThat(idle).contains(paper);
          return onContext(() -> store().forgetActive(paper));
        }).compose(forgotten -> onContext(() -> store().idleCandidates(0, 100_000)))
        .map(idle -> {
          assertThat(idle).doesNotContain(paper);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  // ---- presence and the periodic round ------------------------------------------------------

  private Future<PaperRead> joinAs(String user, String node) {
    return read(new ReadRequest(paper, true, null, null, new ReadRequest.PresenceJoin(user, user.toUpperCase(), node)));
  }

  @Test
  void aUserIsPresentOnceAcrossNodesAndLeavesWithItsLastNode(VertxTestContext ctx) {
    joinAs("ann", "n1").compose(first -> {
      PaperRead.Snapshot snapshot = (PaperRead.Snapshot) first;
      assertThat(snapshot.snapshot().presence()).containsExactly(new PresenceEntry("ann", "ANN"));
      return published(ChannelMessage.Presence.class);
    }).compose(joined -> {
      assertThat(joined.frame().toString()).contains("\"joined\":[{\"user\":\"ann\",\"name\":\"ANN\"}]");
      return joinAs("ann", "n2");
    }).compose(second -> onContext(() -> store().leave(paper, "ann", "n1")))
        .compose(ignored -> onContext(() -> store().leave(paper, "ann", "n2")))
        .compose(ignored -> published(ChannelMessage.Presence.class, m -> m.frame().toString().contains("\"left\":[\"ann\"]")))
        .map(left -> {
          List<ChannelMessage.Presence> presence = messagesOf(ChannelMessage.Presence.class);
          assertThat(presence).as("joined once, left once").hasSize(2);
          assertThat(presence.get(1).version()).isGreaterThan(presence.get(0).version());
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void thePeriodicRoundReportsHeadsAndDropsUsersOfNodesThatStoppedRefreshing(Vertx vertx, VertxTestContext ctx) {
    joinAs("ann", "crashed-node").compose(ignored -> joinAs("bob", "live-node"))
        .compose(ignored -> put("a", "bob"))
        .compose(ignored -> {
          Promise<Void> later = Promise.promise();
          vertx.setTimer(1200, t -> later.complete());
          return later.future();
        })
        .compose(ignored -> onContext(() -> store().tick("live-node", Map.of(paper, Map.of("bob", "BOB")))))
        .compose(heads -> {
          assertThat(heads.get(paper).seq()).isEqualTo(1);
          assertThat(heads.get(paper).status()).isEqualTo(PaperStatus.OPEN);
          return published(ChannelMessage.Presence.class, m -> m.frame().toString().contains("\"left\":[\"ann\"]"));
        })
        .compose(left -> read(ReadRequest.snapshot(paper)))
        .compose(read -> {
          assertThat(((PaperRead.Snapshot) read).snapshot().presence()).containsExactly(new PresenceEntry("bob", "BOB"));
          return onContext(() -> store().tick("live-node", Map.of("no-such-paper", Map.of())));
        })
        .map(heads -> {
          assertThat(heads).as("a paper without live state has no head").isEmpty();
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void oneRoundOverManyPapersReportsEveryHeadAndEveryPresenceChange(Vertx vertx, VertxTestContext ctx) {
    // More papers than one Redis call takes (TickCall.MAX_PAPERS): a third missing, a third at seq 1, a third at 2.
    // Random ids: on a cluster (16,384 slots) about 6 pairs of them share a slot, so some calls carry several.
    int count = 450;
    List<String> others = new ArrayList<>();
    List<Future<Applied>> ops = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      String other = "t-" + UUID.randomUUID().toString().substring(0, 13);
      others.add(other);
      for (int op = 0; op < k % 3; op++) {
        ops.add(onContext(() -> store().apply(new OpRequest(other, emptyPut("x"), "ann", null, Role.OWNER))));
      }
    }
    Map<String, String> epochs = new HashMap<>();
    Map<String, Map<String, String>> round = new HashMap<>();
    round.put(paper, Map.of("cat", "CAT"));
    for (int k = 0; k < count; k++) {
      round.put(others.get(k), k % 2 == 0 ? Map.of() : Map.of("u" + k, "U" + k));
    }
    joinAs("ann", "crashed-node").compose(ignored -> put("a", "bob"))
        .compose(applied -> {
          epochs.put(paper, applied.epoch());
          return Future.all(ops);
        })
        .compose(all -> {
          int next = 0;
          for (int k = 0; k < count; k++) {
            if (k % 3 != 0) {
              next += k % 3;
              epochs.put(others.get(k), all.<Applied>resultAt(next - 1).epoch());
            }
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(1200, t -> later.complete());
          return later.future();
        })
        .compose(ignored -> onContext(() -> store().tick("live-node", round)))
        .compose(heads -> {
          assertThat(heads).containsOnlyKeys(epochs.keySet());
          assertThat(heads.get(paper)).isEqualTo(new PaperHead(epochs.get(paper), 1, PaperStatus.OPEN));
          for (int k = 0; k < count; k++) {
            String other = others.get(k);
            if (k % 3 != 0) {
              assertThat(heads.get(other)).as(other).isEqualTo(new PaperHead(epochs.get(other), k % 3, PaperStatus.OPEN));
            }
          }
          return published(ChannelMessage.Presence.class, m -> m.frame().toString().contains("\"left\":[\"ann\"]"));
        })
        .compose(left -> published(ChannelMessage.Presence.class,
            m -> m.frame().toString().contains("\"joined\":[{\"user\":\"cat\",\"name\":\"CAT\"}]")))
        .compose(joined -> read(ReadRequest.snapshot(paper)))
        .compose(read -> {
          assertThat(((PaperRead.Snapshot) read).snapshot().presence()).containsExactly(new PresenceEntry("cat", "CAT"));
          return read(ReadRequest.snapshot(others.get(1)));
        })
        .compose(read -> {
          assertThat(((PaperRead.Snapshot) read).snapshot().presence()).containsExactly(new PresenceEntry("u1", "U1"));
          return read(ReadRequest.snapshot(others.get(3)));
        })
        .map(read -> {
          assertThat(read).as("the round creates no paper").isInstanceOf(PaperRead.Missing.class);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  /** A note.put of note {@code id} with no fields, for a paper other than {@link #paper}. */
  static Op emptyPut(String id) {
    return FrameCodec.decodeOp(FrameCodec.parse(new JsonObject().put("kind", "note.put")
        .put("note", new JsonObject().put("id", id)).encode()), io.rollingpaper.protocol.Limits.DEFAULT);
  }

  @Test
  void aPublishedSignalReachesTheSubscriber(VertxTestContext ctx) {
    onContext(() -> store().signal(paper, new ChannelMessage.Signal("node-1", "{\"type\":\"signal\"}")))
        .compose(ignored -> published(ChannelMessage.Signal.class))
        .map(signal -> {
          assertThat(signal.senderSession()).isEqualTo("node-1");
          assertThat(signal.frame().toString()).isEqualTo("{\"type\":\"signal\"}");
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }
}
