package io.rollingpaper.loadgen;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The load generator's entry point: {@code java -jar rolling-paper-loadgen.jar <scenario> [options]}.
 * Scenarios: {@code fanout}, {@code ramp}, {@code join-storm}, {@code idle}; {@code chart} draws comparison PNGs from
 * their JSON summaries. {@code --help} on each lists its options.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, version = "rolling-paper-loadgen 0.1.0",
    description = "Load generator for Rolling Paper Live (protocol v1).",
    subcommands = {FanoutCommand.class, RampCommand.class, JoinStormCommand.class, IdleCommand.class, ChartCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.setProperty("vertx.disableDnsResolver", "true");
    System.setProperty("java.awt.headless", "true"); // the charts: no display needed
    CommandLine cl = new CommandLine(new Main());
    cl.registerConverter(java.time.Duration.class, new DurationConverter());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((error, cmd, parsed) -> {
      if (error instanceof IllegalArgumentException || error instanceof IllegalStateException) {
        System.err.println("loadgen " + cmd.getCommandName() + ": " + error.getMessage());
        return 2;
      }
      throw error;
    });
    System.exit(cl.execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
