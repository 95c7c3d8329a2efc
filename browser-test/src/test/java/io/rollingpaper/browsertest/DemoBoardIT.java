package io.rollingpaper.browsertest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Pdf;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.print.PrintOptions;

/**
 * The demo board's own features in headless Chromium, on one in-memory node with auth on
 * ({@code AUTH_JWT_SECRET}, {@code API_KEY}): the start page on a first visit, tokens from the URL
 * fragment and from the {@code token} hook, "Complete paper" for owners only, refused joins, and a
 * completed paper's read-only, presentation and print views. Screenshots (and a PDF) go to
 * {@code target/screenshots/demo-board/}.
 */
class DemoBoardIT {
  private static final Path TARGET = Path.of(System.getProperty("browser.test.dir", "target"));
  private static final Path WORK = TARGET.resolve("browser-test-demo");
  private static final Path SHOTS = TARGET.resolve("screenshots").resolve("demo-board");
  private static final Path NODE_JAR = Path.of(System.getProperty("node.jar", "../node/target/rolling-paper-node.jar"));
  private static final String SECRET = "demo-board-test-secret-of-at-least-32-bytes";
  private static final String API_KEY = "demo-board-test-api-key-0123456789abcdef";
  private static final Jwt JWT = new Jwt(SECRET);

  private static LocalProcesses processes;
  private static String origin;
  private static BoardPage page;
  /** the CDP id of a script injected before every page load (the token hook), removed after each test */
  private String injected;

  @RegisterExtension
  static final TestWatcher SCREENSHOT_ON_FAILURE = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (page != null) {
        page.screenshot(SHOTS, "failure-" + context.getRequiredTestMethod().getName() + ".png");
      }
    }
  };

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void startNodeAndBrowser() throws Exception {
    assertThat(NODE_JAR).as("the node jar (mvn -pl node -am package)").isRegularFile();
    deleteRecursively(WORK);
    deleteRecursively(SHOTS);
    Files.createDirectories(SHOTS);
    processes = new LocalProcesses(NODE_JAR, WORK, Map.of(
        "AUTH_JWT_SECRET", SECRET, "API_KEY", API_KEY, "DRAIN_READY_DELAY", "0s", "DRAIN_CLOSE_WINDOW", "100ms",
        "LOG_LEVEL", "INFO"));
    int port = LocalProcesses.freePorts(1)[0];
    Process node = processes.startNode("node-auth", port, Map.of());
    page = BoardPage.open("demo", WORK); // while the JVM starts
    processes.awaitReady("node-auth", node, port);
    origin = "http://127.0.0.1:" + port;
  }

  @AfterAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void stopEverything() {
    if (page != null) {
      page.close();
    }
    if (processes != null) {
      processes.close();
    }
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
  }

  @AfterEach
  void removeInjectedHook() {
    if (injected != null) {
      page.driver.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", injected));
      injected = null;
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theEmptyRecentlyOpenedPanelIsHiddenOnAFirstVisitAndShownOnceAPaperWasOpened() {
    page.load(origin + "/");
    page.js("localStorage.clear(); sessionStorage.clear();");
    page.load(origin + "/");
    page.await("the start page", pg -> pg.driver.findElement(By.id("create")).isDisplayed());
    assertThat(recentPanel().isDisplayed()).as("no recent papers: no panel").isFalse();
    page.screenshot(SHOTS, "home-first-visit.png");

    String paper = paperId("recent");
    open(origin + "/p/" + paper + "#token=" + JWT.sign("ann", "Ann", "writer", List.of(paper)));
    page.await("badge live", pg -> "live".equals(pg.connection()));
    page.load(origin + "/");
    page.await("the panel lists the paper", pg -> recentPanel().isDisplayed());
    assertThat(page.driver.findElement(By.cssSelector("[data-testid='recent-list']")).getText()).isEqualTo(paper);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aTokenFromTheFragmentJoinsIsRemovedFromTheAddressBarAndOnlyOwnersSeeCompletePaper() {
    String paper = paperId("roles");
    open(origin + "/p/" + paper + "#token=" + JWT.sign("olga", "Olga", "owner", List.of(paper)));
    page.await("owner's badge live", pg -> "live".equals(pg.connection()));
    assertThat(page.js("return location.href;")).as("the token left the address bar")
        .isEqualTo(origin + "/p/" + paper);
    assertThat(page.presentNames()).containsExactly("Olga (you)");
    assertThat(displayed("complete-button")).as("an owner sees Complete paper").isTrue();
    assertThat(displayed("add-note-button")).isTrue();
    assertThat(displayed("rename-button")).as("the name comes from the token").isFalse();
    String noteId = addNote("From the owner");
    page.screenshot(SHOTS, "board-owner.png");

    open(origin + "/p/" + paper + "#token=" + JWT.sign("walt", "Walt", "writer", List.of(paper)));
    page.await("writer's badge live", pg -> "live".equals(pg.connection()));
    page.await("the owner's note", pg -> "From the owner".equals(pg.textOf(noteId)));
    assertThat(displayed("complete-button")).as("a writer does not see Complete paper").isFalse();
    assertThat(displayed("add-note-button")).as("a writer writes").isTrue();
    assertThat(page.card(noteId).getDomAttribute("class")).as("a writer changes only its own notes").contains("locked");
    assertThat(page.card(noteId).findElement(By.cssSelector("[data-testid='note-delete-button']")).isDisplayed())
        .isFalse();
    assertThat(page.presentNames()).contains("Walt (you)");
    page.screenshot(SHOTS, "board-writer.png");

    open(origin + "/p/" + paper + "#token=" + JWT.sign("vic", "Vic", "viewer", List.of(paper)));
    page.await("viewer's badge live", pg -> "live".equals(pg.connection()));
    assertThat(displayed("complete-button")).isFalse();
    assertThat(displayed("add-note-button")).as("a viewer does not write").isFalse();
  }

  /**
   * Needs the node's in-band refusals (PROTOCOL.md v1.1: upgrade, error frame, close 4401/4403): a
   * node that answers HTTP 401/403 before the upgrade leaves the browser only "connection failed",
   * and the client keeps reconnecting.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void refusedJoinsShowReadableStatuses() {
    String paper = paperId("refused");
    page.load(origin + "/");
    page.js("sessionStorage.clear();");
    page.load(origin + "/p/" + paper);
    page.await("no token: unauthorized", pg -> "unauthorized".equals(pg.connection()));
    assertThat(page.badge().getText()).isEqualTo("Not signed in");
    assertThat(page.driver.findElement(By.id("banner")).getText()).contains("needs a sign-in");
    assertThat(displayed("add-note-button")).as("nothing to write with").isFalse();
    assertThat(displayed("keyboard-help")).isFalse();
    page.screenshot(SHOTS, "refused-unauthorized.png");

    open(origin + "/p/" + paper + "#token=" + JWT.sign("ann", "Ann", "owner", List.of("another-paper")));
    page.await("a token for another paper: forbidden", pg -> "forbidden".equals(pg.connection()));
    assertThat(page.badge().getText()).isEqualTo("No access");
    assertThat(page.driver.findElement(By.id("banner")).getText()).contains("does not cover this paper");
    assertThat(page.driver.findElements(By.cssSelector("[data-testid='toast']:not([hidden])")))
        .as("the banner says it, no toast").isEmpty();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void anOwnerCompletesThroughTheHooksAndTheCompletedPaperIsReadOnlyPresentableAndPrintable() throws IOException {
    String paper = paperId("done");
    // The embedding page's hooks: a token from "its backend", and completion through "its backend".
    String token = JWT.sign("olga", "Olga", "owner", List.of(paper));
    injected = (String) page.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "window.rollingPaperBoard = {"
            + " token: async (paperId) => '" + token + "',"
            + " complete: (paperId) => fetch('/api/papers/' + paperId + '/complete',"
            + "   { method: 'POST', headers: { Authorization: 'Bearer " + API_KEY + "' } })"
            + "   .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); }) };"))
        .get("identifier");
    page.load(origin + "/p/" + paper);
    page.await("badge live with the hook's token", pg -> "live".equals(pg.connection()));
    assertThat(page.presentNames()).containsExactly("Olga (you)");
    String first = addNote("Happy birthday, Ada!\nFrom Olga");
    String second = addNote("Second note");
    page.js("document.activeElement && document.activeElement.blur();");
    page.await("both notes acknowledged", pg -> ((Number) pg.js("return window.rollingPaper.state.pending;")).intValue() == 0);

    page.driver.findElement(By.cssSelector("[data-testid='complete-button']")).click();
    page.await("the confirmation", pg -> {
      try {
        pg.driver.switchTo().alert().accept();
        return true;
      } catch (org.openqa.selenium.NoAlertPresentException e) {
        return false;
      }
    });
    page.await("the paper is completed", pg -> "completed".equals(pg.js("return window.rollingPaper.status;")));
    page.await("the completed view", pg -> displayed("present-button"));
    for (String control : List.of("add-note-button", "complete-button", "keyboard-help", "note-text",
        "note-delete-button", "note-color-button")) {
      assertThat(displayed(control)).as(control + " hidden on a completed paper").isFalse();
    }
    assertThat(page.driver.findElement(By.cssSelector("[data-testid='completed-banner']")).isDisplayed()).isTrue();
    assertThat(bodyText(first)).isEqualTo("Happy birthday, Ada!\nFrom Olga");
    page.screenshot(SHOTS, "completed.png");

    // A fresh join of the completed paper shows the same view.
    page.driver.navigate().refresh();
    page.await("live again", pg -> "live".equals(pg.connection()));
    page.await("completed view after a reload", pg -> displayed("present-button"));
    assertThat(displayed("add-note-button")).isFalse();
    assertThat(bodyText(second)).isEqualTo("Second note");

    // The presentation view.
    page.driver.findElement(By.cssSelector("[data-testid='present-button']")).click();
    page.await("presenting", pg -> displayed("presentation-bar"));
    assertThat(page.driver.findElement(By.cssSelector(".topbar")).isDisplayed()).isFalse();
    assertThat(page.driver.findElement(By.id("presentation-title")).getText()).isEqualTo(paper);
    assertThat(page.js("return getComputedStyle(document.querySelector('.note')).position;")).isEqualTo("static");
    page.screenshot(SHOTS, "presentation.png");

    // Print: the print stylesheet applies (title and notes only) and Chrome prints a PDF.
    page.driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
    try {
      assertThat(page.js("return getComputedStyle(document.querySelector('.presentation-actions')).display;"))
          .isEqualTo("none");
      assertThat(page.js("return getComputedStyle(document.querySelector('.note-body')).display;")).isEqualTo("block");
      page.screenshot(SHOTS, "print-media.png");
    } finally {
      page.driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
    }
    Pdf pdf = page.driver.print(new PrintOptions());
    byte[] bytes = Base64.getDecoder().decode(pdf.getContent());
    Files.write(SHOTS.resolve("completed.pdf"), bytes);
    assertThat(new String(bytes, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");

    page.driver.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
    page.await("Esc leaves the presentation", pg -> !displayed("presentation-bar"));
  }

  // ---------------------------------------------------------------- helpers

  private static String paperId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Loads {@code url} as a new document: from a page of the same paper, a URL that differs only
   * in its fragment would merely scroll, not load.
   */
  private static void open(String url) {
    page.load("about:blank");
    page.load(url);
  }

  private static WebElement recentPanel() {
    return page.driver.findElement(By.id("recent-panel"));
  }

  /** whether any element with this data-testid is displayed */
  private static boolean displayed(String testId) {
    return page.driver.findElements(By.cssSelector("[data-testid='" + testId + "']")).stream()
        .anyMatch(WebElement::isDisplayed);
  }

  /** the note's plain text as shown on a completed paper */
  private static String bodyText(String noteId) {
    return (String) page.js("return document.querySelector(`[data-note-id='${arguments[0]}'] .note-body`).textContent;",
        noteId);
  }

  /** Adds a note with the button, types {@code text}, waits for the server's ack; its id. */
  private static String addNote(String text) {
    List<String> before = page.cardIds();
    page.addButton().click();
    String id = page.await("the new card", pg -> pg.cardIds().stream().filter(i -> !before.contains(i))
        .findFirst().orElse(null));
    page.await("the new note has the focus", pg -> pg.editing(id));
    page.text(id).sendKeys(text); // "\n" is Enter: a new line in the textarea
    page.await("the note acknowledged with its text", pg -> {
      Map<String, Object> n = pg.confirmed(id);
      return n != null && text.equals(n.get("text"));
    });
    return id;
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
}
