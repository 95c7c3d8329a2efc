package io.rollingpaper.node.session;

import io.rollingpaper.node.config.UserBudgets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UserAllowancesTest {
  @Test
  void usersWhoLeftHoldNothing() {
    UserAllowances allowances = new UserAllowances(new UserBudgets(1, 2, 1, 2, 2));
    for (int i = 0; i < 1000; i++) {
      String user = "u" + i;
      assertThat(allowances.tryOpen(user)).isTrue();
      assertThat(allowances.tryOpen(user)).isTrue();
      assertThat(allowances.tryOpen(user)).as("the cap").isFalse();
      allowances.closed(user);
      allowances.closed(user);
    }
    assertThat(allowances.users()).isZero();
  }

  @Test
  void opsAndSignalsDrawFromTheUsersBuckets() {
    UserAllowances allowances = new UserAllowances(new UserBudgets(1, 2, 1, 3, 10));
    allowances.tryOpen("ann");
    allowances.tryOpen("ann");
    UserAllowances.Allowance ann = allowances.allowanceOf("ann");
    long now = System.nanoTime();
    assertThat(ann.tryOp(now)).isTrue();
    assertThat(ann.tryOp(now)).isTrue();
    assertThat(ann.tryOp(now)).as("burst spent").isFalse();
    assertThat(ann.trySignal(now)).as("signals have their own bucket").isTrue();
    allowances.closed("ann");
    assertThat(allowances.allowanceOf("ann")).as("held while one socket is open").isSameAs(ann);
    assertThat(ann.tryOp(now + 1_000_000_000L)).as("refilled after a second").isTrue();
    allowances.closed("ann");
    assertThat(allowances.allowanceOf("ann")).as("dropped with the last").isNull();
  }
}
