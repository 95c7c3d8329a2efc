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

  private static final class Allowance {
    final TokenBucket ops;
    final TokenBucket signals;
    int sockets;

    Allowance(UserBudgets budgets, long now) {
      ops = new TokenBucket(budgets.opsPerSecond(), budgets.opsBurst(), now);
      signals = new TokenBucket(budgets.signalsPerSecond(), budgets.signalsBurst(), now);
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

  boolean tryOp(String user, long nowNanos) {
    Allowance allowance = users.get(user);
    return allowance == null || allowance.ops.tryTake(nowNanos);
  }

  boolean trySignal(String user, long nowNanos) {
    Allowance allowance = users.get(user);
    return allowance == null || allowance.signals.tryTake(nowNanos);
  }

  /** Users with at least one open socket (the entries held). */
  public int users() {
    return users.size();
  }
}
