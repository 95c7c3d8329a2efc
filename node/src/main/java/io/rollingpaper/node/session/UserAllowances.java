package io.rollingpaper.node.session;

import io.rollingpaper.node.config.UserBudgets;

import java.util.HashMap;
import java.util.Map;

/**
 * One node's budgets per user, shared by all of that user's sockets: how many are open, and the token
 * buckets their ops and signals draw from (on top of each socket's own). A user's entry is dropped
 * when their last socket closes, so users who left cost nothing. Lives on the node's event loop;
 * not thread-safe.
 */
public final class UserAllowances {
  private final UserBudgets budgets;
  private final Map<String, Allowance> users = new HashMap<>();

  public UserAllowances(UserBudgets budgets) {
    this.budgets = budgets;
  }

  /** One user's buckets. A session holds its user's, so an op costs no lookup by user id. */
  static final class Allowance {
    private final TokenBucket ops;
    private final TokenBucket signals;
    private int sockets;

    private Allowance(UserBudgets budgets, long now) {
      ops = new TokenBucket(budgets.opsPerSecond(), budgets.opsBurst(), now);
      signals = new TokenBucket(budgets.signalsPerSecond(), budgets.signalsBurst(), now);
    }

    boolean tryOp(long nowNanos) {
      return ops.tryTake(nowNanos);
    }

    boolean trySignal(long nowNanos) {
      return signals.tryTake(nowNanos);
    }
  }

  /** Counts a new socket of {@code user}, unless the user is at the cap; pair with {@link #closed}. */
  public boolean tryOpen(String user) {
    Allowance allowance = users.computeIfAbsent(user, u -> new Allowance(budgets, System.nanoTime()));
    if (allowance.sockets >= budgets.connections()) {
      return false;
    }
    allowance.sockets++;
    return true;
  }

  /** One socket of {@code user} closed. */
  public void closed(String user) {
    Allowance allowance = users.get(user);
    if (allowance != null && --allowance.sockets <= 0) {
      users.remove(user);
    }
  }

  /**
   * The allowance of {@code user}, or null if none is held (nothing limits the user then). A session takes its
   * user's after {@link #tryOpen} counted it; the entry stays the same until the user's last socket closes.
   */
  Allowance allowanceOf(String user) {
    return users.get(user);
  }

  /** Users with at least one open socket (the entries held). */
  public int users() {
    return users.size();
  }
}
