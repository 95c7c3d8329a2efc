package io.rollingpaper.node.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-connection rate limit's arithmetic, on a clock the test moves. */
class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long START = 42 * SECOND;

  @Test
  void aFullBurstIsAvailableAtOnceThenNothing() {
    TokenBucket bucket = new TokenBucket(10, 5, START);

    for (int i = 0; i < 5; i++) {
      assertThat(bucket.tryTake(START)).as("take %d of the burst", i + 1).isTrue();
    }
    assertThat(bucket.tryTake(START)).as("past the burst").isFalse();
  }

  @Test
  void tokensComeBackAtTheRate() {
    TokenBucket bucket = new TokenBucket(10, 1, START);
    assertThat(bucket.tryTake(START)).isTrue();

    assertThat(bucket.tryTake(START + SECOND / 20)).as("half a token's time").isFalse();
    assertThat(bucket.tryTake(START + SECOND / 10)).as("a token's time").isTrue();
    assertThat(bucket.tryTake(START + SECOND / 10)).as("that token was taken").isFalse();
  }

  @Test
  void aRefusedTakeCostsNothing() {
    TokenBucket bucket = new TokenBucket(10, 1, START);
    bucket.tryTake(START);

    for (long t = START; t < START + SECOND / 10; t += SECOND / 100) {
      bucket.tryTake(t);
    }

    // A microsecond past the token's time: the refill is summed in doubles, so ten tenths of a token can
    // fall a hair short of one.
    assertThat(bucket.tryTake(START + SECOND / 10 + 1_000)).as("refused takes did not delay the next token")
        .isTrue();
  }

  @Test
  void aLongIdleRefillsNoMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(1_000, 3, START);
    for (int i = 0; i < 3; i++) {
      bucket.tryTake(START);
    }

    long muchLater = START + 365L * 24 * 3600 * SECOND;
    int taken = 0;
    while (bucket.tryTake(muchLater)) {
      taken++;
    }

    assertThat(taken).as("tokens after a year idle").isEqualTo(3);
  }

  @Test
  void theRateHoldsOverManyTakes() {
    TokenBucket bucket = new TokenBucket(100, 1, START);
    int taken = 0;
    // Takes every millisecond and 3 ns: on exact tenths of a token the refill's rounding would lose a
    // whole take now and then (see aRefusedTakeCostsNothing).
    for (long t = START; t <= START + 10 * SECOND; t += SECOND / 1_000 + 3) {
      if (bucket.tryTake(t)) {
        taken++;
      }
    }

    // The starting burst of 1, then 100 a second for 10 seconds.
    assertThat(taken).isBetween(999, 1001);
  }
}
