package io.rollingpaper.clustertest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What writing clients saw, checked against the papers' final state: no acknowledged op lost, every
 * client's notes are what its last ops left, every client converged to its paper, no gap or duplicate,
 * no op left unacked. Problems are added to the caller's list; the counts are the run's figures.
 */
record Outcome(long sent, long acked, long lost, long unacked, long resent, long duplicates,
               long midConnectionSnapshots, List<WritingClient.Reconnect> reconnects) {

  static Outcome check(List<WritingClient.Result> results, Map<String, JsonObject> finalState, List<String> problems) {
    long sent = 0;
    long acked = 0;
    long lost = 0;
    long unacked = 0;
    long resent = 0;
    long duplicates = 0;
    long midSnapshots = 0;
    List<WritingClient.Reconnect> reconnects = new ArrayList<>();
    for (WritingClient.Result r : results) {
      JsonObject paper = finalState.get(r.paper());
      Map<String, JsonObject> finalNotes = notesById(paper);
      sent += r.ops().size();
      acked += r.acked();
      unacked += r.unacked();
      resent += r.resends();
      duplicates += r.duplicateAcks();
      midSnapshots += r.midConnectionSnapshots();
      reconnects.addAll(r.reconnects());
      r.violations().forEach(v -> problems.add(r.name() + ": " + v));
      r.errors().forEach(e -> problems.add(r.name() + ": error frame " + e.encode()));
      if (r.gaveUp()) {
        problems.add(r.name() + " gave up reconnecting");
      }
      for (WritingClient.SentOp op : r.ops()) {
        if (op.acks == 0) {
          continue;
        }
        JsonObject note = finalNotes.get(op.noteId);
        int finalVersion = note == null ? -1 : note.getInteger("v", -1);
        if (op.ackSeq > paper.getLong("seq") || finalVersion < op.version) {
          lost++;
          problems.add(r.name() + ": acked op " + op.cid + " (" + op.noteId + " v" + op.version + ", seq " + op.ackSeq
              + ") is not in the final state (note there: " + (note == null ? "missing" : note.encode()) + ")");
        }
      }
      r.intended().forEach((id, intended) -> {
        JsonObject note = finalNotes.get(id);
        JsonObject withoutAuthor = note == null ? null : note.copy();
        if (withoutAuthor != null) {
          withoutAuthor.remove("author");
        }
        if (!intended.equals(withoutAuthor)) {
          problems.add(r.name() + ": note " + id + " is " + (note == null ? "missing" : note.encode())
              + ", its last op left it " + intended.encode());
        }
      });
      if (!Objects.equals(r.epoch(), paper.getString("epoch")) || r.seq() != paper.getLong("seq")) {
        problems.add(r.name() + " ended at epoch " + r.epoch() + " seq " + r.seq() + ", the paper is at "
            + paper.getString("epoch") + " seq " + paper.getLong("seq"));
      }
      if (!r.notes().equals(finalNotes)) {
        problems.add(r.name() + "'s notes differ from the paper's");
      }
      if (r.unacked() > 0) {
        problems.add(r.name() + " has " + r.unacked() + " ops never acked");
      }
    }
    return new Outcome(sent, acked, lost, unacked, resent, duplicates, midSnapshots, reconnects);
  }

  static Map<String, JsonObject> notesById(JsonObject paper) {
    Map<String, JsonObject> notes = new TreeMap<>();
    for (Object note : paper.getJsonArray("notes", new JsonArray())) {
      notes.put(((JsonObject) note).getString("id"), (JsonObject) note);
    }
    return notes;
  }
}
