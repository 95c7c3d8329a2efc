package io.rollingpaper.protocol;

import java.util.List;

/**
 * A whole paper as of {@code seq}. Notes are kept as their serialized JSON so a snapshot read
 * from a store is written out without parsing each note.
 */
public record PaperSnapshot(String paper, String epoch, long seq, PaperStatus status, List<String> notesJson,
                            List<PresenceEntry> presence) {
}
