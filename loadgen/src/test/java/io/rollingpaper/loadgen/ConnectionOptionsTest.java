package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

/** The connection options every load command takes from the one mixin, under the same names. */
class ConnectionOptionsTest {

  private static CommandLine parse(Object command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.registerConverter(java.time.Duration.class, new DurationConverter());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.parseArgs(args);
    return cl;
  }

  @Test
  void fanoutRampJoinStormAndIdleTakeTheSameConnectionOptions() {
    String[] args = {"--urls", "ws://127.0.0.1:1/,ws://127.0.0.1:2", "--pids", "11,12", "--other-pids", "13",
        "--event-loops", "2", "--local-addresses", "127.0.0.2-4"};
    FanoutCommand fanout = new FanoutCommand();
    RampCommand ramp = new RampCommand();
    JoinStormCommand storm = new JoinStormCommand();
    parse(fanout, args);
    parse(ramp, args);
    parse(storm, args);
    for (ConnectionOptions c : List.of(fanout.connection, ramp.connection, storm.connection)) {
      assertThat(c.cleanUrls()).containsExactly("ws://127.0.0.1:1", "ws://127.0.0.1:2");
      assertThat(c.pids).containsExactly("11", "12");
      assertThat(c.otherPids).containsExactly("13");
      assertThat(c.eventLoops).isEqualTo(2);
      assertThat(c.expandedLocalAddresses()).containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4");
    }
  }

  @Test
  void theSingleNodeCommandsKeepTheirShortNames() {
    IdleCommand idle = new IdleCommand();
    parse(idle, "--url", "ws://127.0.0.1:9", "--pid", "42");
    assertThat(idle.connection.singleOursUrl("idle")).isEqualTo("ws://127.0.0.1:9");
    assertThat(idle.connection.pids).containsExactly("42");
  }

  @Test
  void theSingleNodeCommandsRefuseThePeer() {
    JoinStormCommand storm = new JoinStormCommand();
    parse(storm, "--url", "ws://127.0.0.1:9", "--target", "socketio");
    assertThatThrownBy(() -> storm.connection.singleOursUrl("join-storm"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ours only");
  }

  @Test
  void aUrlMustBeAWebSocketUrl() {
    FanoutCommand fanout = new FanoutCommand();
    parse(fanout, "--urls", "http://127.0.0.1:1");
    assertThatThrownBy(() -> fanout.connection.cleanUrls()).isInstanceOf(IllegalArgumentException.class);
  }
}
