package io.rollingpaper.node.config;

import java.time.Duration;

/**
 * How long a paper's live traces last and how often a node tends the papers it serves.
 *
 * @param completedTtl      how long a completed paper's live data is kept
 * @param presenceTtl       a node that stops refreshing (crashed) has its users leave after this
 * @param checkInterval     the periodic round: presence refresh and missed-delta check
 * @param unsubscribeLinger how long a node stays subscribed after its last local session on a paper left
 */
public record PaperTimings(Duration completedTtl, Duration presenceTtl, Duration checkInterval,
                           Duration unsubscribeLinger) {

  static PaperTimings read(EnvReader r) {
    PaperTimings timings = new PaperTimings(
        r.duration("COMPLETED_TTL", Duration.ofDays(7)),
        r.duration("PRESENCE_TTL", Duration.ofSeconds(30)),
        r.duration("PAPER_CHECK_INTERVAL", Duration.ofSeconds(10)),
        r.duration("UNSUBSCRIBE_LINGER", Duration.ofSeconds(5)));
    if (timings.checkInterval().compareTo(timings.presenceTtl()) >= 0) {
      r.problem("PAPER_CHECK_INTERVAL must be shorter than PRESENCE_TTL (presence is refreshed on that tick)");
    }
    return timings;
  }
}
