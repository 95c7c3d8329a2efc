package io.rollingpaper.browsertest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The demo board in two real browsers on two nodes of one cluster.
 *
 * <p>A private redis-server and two node JVMs (the shaded jar) on free ports; browser A (its own
 * headless Chromium and profile, so its own user id) opens {@code /p/{paper}} on node 1, browser B
 * the same paper on node 2. Then: both presence lists show both users; A adds a note and types,
 * B sees the text while A is still typing; B drags the note with the mouse, A sees it move; A's
 * node is stopped (SIGTERM: it drains and exits), A's badge shows "reconnecting"; B writes a note
 * meanwhile; A's node is started again on the same port, A's badge goes live again by itself and
 * A shows what B wrote. Screenshots of both boards go to {@code target/screenshots/} (at the end,
 * and at a failure), process and browser logs to {@code target/browser-test/}.
 *
 * <p>Why no HAProxy in front: the balancer hashes by paper id (consistent hashing, see the root
 * haproxy.cfg), so two pages of the same paper opened through it land on the same node, and the
 * test would no longer show two nodes exchanging a paper through Redis. Each browser is pointed at
 * its node directly instead; stopping A's node and starting it on the same port is what a client
 * behind the balancer sees too (it reconnects to the same URL). The balancer itself is tested by
 * cluster-test and deploy-test.
 */
class TwoNodeBoardIT {
  private static final Path TARGET = Path.of(System.getProperty("browser.test.dir", "target"));
  private static final Path WORK = TARGET.resolve("browser-test");
  private static final Path SCREENSHOTS = TARGET.resolve("screenshots");
  private static final Path NODE_JAR = Path.of(System.getProperty("node.jar", "../node/target/rolling-paper-node.jar"));
  /** the reconnect back-off of the client grows to 15 s; a node restart takes a few seconds */
  private static final Duration RECONNECT_WAIT = Duration.ofSeconds(45);
  private static final long T0 = System.nanoTime();

  private static LocalProcesses processes;
  private static int port1;
  private static int port2;
  private static Process node1;
  private static Process node2;
  private static BoardPage pageA;
  private static BoardPage pageB;

  /** Screenshots of both boards (and their console logs) when the test fails or times out. */
  @RegisterExtension
  static final TestWatcher SCREENSHOT_ON_FAILURE = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      for (BoardPage p : pages()) {
        Path png = p.screenshot(SCREENSHOTS, "failure-board-" + p.label + ".png");
        System.err.println("browser-test: failed; screenshot of " + p.label + ": " + png);
      }
    }
  };

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void startNodesAndBrowsers() throws Exception {
    assertThat(NODE_JAR).as("the node jar (mvn -pl node -am package)").isRegularFile();
    // A fresh start: no logs, profiles or screenshots of an earlier run.
    deleteRecursively(WORK);
    // Only this test's own screenshots: other browser tests keep theirs in subfolders.
    deleteScreenshots();
    Files.createDirectories(WORK);
    Files.createDirectories(SCREENSHOTS);
    processes = new LocalProcesses(NODE_JAR, WORK, Map.of(
        "DRAIN_READY_DELAY", "1s",
        "DRAIN_CLOSE_WINDOW", "200ms",
        "PAPER_CHECK_INTERVAL", "1s",
        // The demo board runs with auth off (identity.js: a random user id per browser).
        "AUTH_DISABLED", "true",
        "LOG_LEVEL", "INFO"));
    step("starting redis-server");
    processes.startRedis();
    int[] ports = LocalProcesses.freePorts(2);
    port1 = ports[0];
    port2 = ports[1];
    step("starting node-1 on " + port1 + " and node-2 on " + port2 + " (redis " + processes.redisUrl() + ")");
    node1 = processes.startNode("node-1", port1);
    node2 = processes.startNode("node-2", port2);
    // The browsers start while the JVMs do.
    pageA = BoardPage.open("A", WORK);
    pageB = BoardPage.open("B", WORK);
    processes.awaitReady("node-1", node1, port1);
    processes.awaitReady("node-2", node2, port2);
    step("nodes ready, browsers started");
  }

  @AfterAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void stopEverything() {
    for (BoardPage p : pages()) {
      try {
        p.close();
      } catch (RuntimeException e) {
        System.err.println("browser-test: closing browser " + p.label + ": " + e);
      }
    }
    if (processes != null) {
      processes.close();
    }
    // Whatever chromedriver or chromium left behind (this JVM started them): gone too.
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    step("stopped everything");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void twoBrowsersOnTwoNodesWriteTogetherAndSurviveANodeRestart() {
    String paper = "browser-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String urlA = "http://127.0.0.1:" + port1 + "/p/" + paper;
    String urlB = "http://127.0.0.1:" + port2 + "/p/" + paper;

    // ---- both pages open the paper, each on its own node
    step("A opens " + urlA + ", B opens " + urlB);
    pageA.load(urlA);
    pageB.load(urlB);
    for (BoardPage p : pages()) {
      p.await("badge live", pg -> "live".equals(pg.connection()));
      assertThat(p.badge().getText()).isEqualTo("Live");
      assertThat(p.driver.findElement(By.cssSelector("[data-testid='paper-title']")).getText()).isEqualTo(paper);
    }
    String userA = pageA.userId();
    String userB = pageB.userId();
    assertThat(userA).as("separate browser profiles, separate identities").isNotBlank().isNotEqualTo(userB);

    // ---- presence: both lists show both users
    step("presence: both users on both pages");
    for (BoardPage p : pages()) {
      p.await("presence list shows A and B", pg -> pg.presentUsers().equals(Set.of(userA, userB)));
    }
    assertThat(pageA.presentNames()).anySatisfy(n -> assertThat(n).endsWith("(you)"))
        .anySatisfy(n -> assertThat(n).startsWith("Guest " + userB.substring(userB.length() - 4)));

    // ---- A adds a note and types; B sees the text while A is still in the field
    step("A adds a note and types");
    pageA.addButton().click();
    String noteId = pageA.await("A shows the new card", pg -> pg.cardIds().size() == 1 ? pg.cardIds().get(0) : null);
    pageA.await("the new note's text field has the focus", pg -> pg.editing(noteId));
    WebElement textA = pageA.text(noteId);
    textA.sendKeys("Happy birthday");
    pageB.await("B shows A's note with the text typed so far",
        pg -> "Happy birthday".equals(pg.textOf(noteId)));
    pageB.await("B shows that A is typing", pg -> {
      WebElement typing = pg.card(noteId).findElement(By.cssSelector("[data-testid='note-typing']"));
      return typing.isDisplayed() && typing.getText().endsWith("is typing…");
    });
    textA.sendKeys(", Ada! From A");
    String firstText = "Happy birthday, Ada! From A";
    pageB.await("B shows the whole text", pg -> firstText.equals(pg.textOf(noteId)));
    assertThat(pageA.editing(noteId)).as("A never left the text field: B saw it as it was typed").isTrue();
    assertThat(pageA.textOf(noteId)).isEqualTo(firstText);

    // ---- B drags the note with the mouse; A sees it move
    step("B drags the note");
    int[] before = pageA.await("A's card is placed", pg -> pg.positionOf(noteId));
    assertThat(pageB.positionOf(noteId)).containsExactly(before);
    WebElement handle = pageB.handle(noteId);
    new Actions(pageB.driver)
        .moveToElement(handle, -40, 0) // the left of the bar: the author's name, not a button
        .clickAndHold()
        .moveByOffset(60, 10)
        .moveByOffset(120, 20)
        .moveByOffset(120, 10)
        .release()
        .perform();
    Map<String, Object> moved = pageB.await("B's drag is acknowledged at a new place", pg -> {
      Map<String, Object> n = pg.confirmed(noteId);
      return n != null && ((Number) n.get("pending")).intValue() == 0
          && ((Number) n.get("x")).intValue() != before[0] ? n : null;
    });
    int x = ((Number) moved.get("x")).intValue();
    int y = ((Number) moved.get("y")).intValue();
    // Far enough (more than a card's width) that B's next note does not land under it.
    assertThat(x - before[0]).as("dragged right by the mouse's 300 px").isBetween(290, 310);
    assertThat(y - before[1]).as("dragged down by the mouse's 40 px").isBetween(30, 50);
    assertThat(pageB.positionOf(noteId)).containsExactly(x, y);
    pageA.await("A shows the note where B dropped it",
        pg -> Arrays.equals(pg.positionOf(noteId), new int[] {x, y}));
    pageA.await("A shows B's cursor", pg -> !pg.driver.findElements(
        By.cssSelector("[data-testid='remote-cursor'][data-user='" + userB + "']")).isEmpty());
    assertThat(pageA.textOf(noteId)).isEqualTo(firstText);

    // ---- A's node stops: A's badge shows reconnecting
    step("stopping node-1 (SIGTERM)");
    node1.destroy();
    pageA.await("A's badge leaves live", pg -> {
      String c = pg.connection();
      return "reconnecting".equals(c) || "offline".equals(c);
    });
    assertThat(node1.onExit()).as("node-1 drains and exits")
        .succeedsWithin(LocalProcesses.STOP_TIMEOUT);
    step("node-1 exited with " + node1.exitValue());
    pageA.await("A's badge shows reconnecting while its node is down", pg -> "reconnecting".equals(pg.connection()));
    assertThat(pageA.badge().getText()).isEqualTo("Reconnecting…");
    assertThat(pageA.badge().getDomAttribute("data-state")).isEqualTo("reconnecting");
    assertThat(pageB.connection()).as("B's node is not affected").isEqualTo("live");
    // Not asserted: whether B still lists A now depends on the node recording A's leave while it drains.
    step("B's presence list while A is away: " + pageB.presentNames());

    // ---- B writes meanwhile
    step("B writes a note while A is away");
    pageB.addButton().click();
    String secondId = pageB.await("B shows its new card",
        pg -> pg.cardIds().stream().filter(id -> !id.equals(noteId)).findFirst().orElse(null));
    pageB.await("B's new note's text field has the focus", pg -> pg.editing(secondId));
    String secondText = "Written by B while A was away";
    pageB.text(secondId).sendKeys(secondText);
    pageB.text(secondId).sendKeys(Keys.ESCAPE); // leaves the field: the last text is sent at once
    pageB.await("B's note is acknowledged by the server", pg -> {
      Map<String, Object> n = pg.confirmed(secondId);
      return n != null && secondText.equals(n.get("text")) && ((Number) n.get("pending")).intValue() == 0;
    });
    assertThat(pageA.cardIds()).as("A is away: it does not have B's note yet").containsExactly(noteId);
    assertThat(pageA.connection()).isNotEqualTo("live");

    // ---- A's node comes back on the same port: A reconnects by itself and catches up
    step("starting node-1 again on " + port1);
    try {
      node1 = processes.startNode("node-1", port1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    processes.awaitReady("node-1", node1, port1);
    step("node-1 ready again");
    pageA.await("A's badge is live again", RECONNECT_WAIT, pg -> "live".equals(pg.connection()));
    assertThat(pageA.badge().getText()).isEqualTo("Live");
    pageA.await("A shows the note B wrote while A was away", pg -> secondText.equals(pg.textOf(secondId)));
    assertThat(pageA.textOf(noteId)).as("the first note is still there").isEqualTo(firstText);
    assertThat(pageA.positionOf(noteId)).as("where B dropped it").containsExactly(x, y);
    for (BoardPage p : pages()) {
      p.await("presence list shows A and B again", pg -> pg.presentUsers().equals(Set.of(userA, userB)));
      assertThat(p.cardIds()).containsExactlyInAnyOrder(noteId, secondId);
      assertThat(p.driver.findElements(By.cssSelector("[data-testid='toast']:not([hidden])")))
          .as(p.label + ": no error toast").isEmpty();
    }

    // ---- the artifact: how the boards look at the end
    pageA.js("document.activeElement && document.activeElement.blur();"); // A leaves the text field
    for (BoardPage p : pages()) {
      Path png = p.screenshot(SCREENSHOTS, "board-" + p.label + ".png");
      step("screenshot of " + p.label + ": " + png);
      assertThat(png).isNotNull().isRegularFile();
    }
  }

  private static List<BoardPage> pages() {
    List<BoardPage> list = new ArrayList<>();
    Optional.ofNullable(pageA).ifPresent(list::add);
    Optional.ofNullable(pageB).ifPresent(list::add);
    return list;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void deleteScreenshots() throws IOException {
    if (!Files.isDirectory(SCREENSHOTS)) {
      return;
    }
    try (Stream<Path> files = Files.list(SCREENSHOTS)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void step(String what) {
    System.out.printf("browser-test [%6.1fs] %s%n", (System.nanoTime() - T0) / 1e9, what);
  }
}
