package io.rollingpaper.browsertest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One browser (its own headless Chromium, its own fresh profile, so its own localStorage identity)
 * showing the demo board, found by the board's {@code data-testid} attributes.
 */
final class BoardPage implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration POLL = Duration.ofMillis(50);

  final String label;
  final ChromeDriver driver;
  private final Path dir;

  private BoardPage(String label, ChromeDriver driver, Path dir) {
    this.label = label;
    this.driver = driver;
    this.dir = dir;
  }

  /**
   * Starts Debian's chromium through Debian's chromedriver (paths from the system properties
   * {@code chromium.binary} and {@code webdriver.chrome.driver}, so Selenium Manager has nothing to
   * find or download), headless, with a fresh profile under {@code dir}.
   */
  static BoardPage open(String label, Path dir) throws IOException {
    String chromium = System.getProperty("chromium.binary", "/usr/bin/chromium");
    String driverPath = System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    for (String binary : new String[] {chromium, driverPath}) {
      if (!Files.isExecutable(Path.of(binary))) {
        throw new IllegalStateException(binary + " not found: the browser test needs Debian's chromium and "
            + "chromedriver (apt-get install chromium chromium-driver)");
      }
    }
    Path profile = Files.createTempDirectory(Files.createDirectories(dir), "chromium-profile-" + label + "-");
    System.setProperty("webdriver.chrome.driver", driverPath);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        // No throttling of timers in a window that headless Chromium may consider hidden.
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        "--window-size=1280,900", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Path.of(driverPath).toFile())
        .usingAnyFreePort()
        .withLogFile(dir.resolve("chromedriver-" + label + ".log").toFile())
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return new BoardPage(label, driver, dir);
  }

  void load(String url) {
    driver.get(url);
  }

  // ---------------------------------------------------------------- reading the page

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** this browser's user id (kept in its localStorage by identity.js) */
  String userId() {
    return (String) js("return localStorage.getItem('rollingPaper.user');");
  }

  WebElement badge() {
    return driver.findElement(By.cssSelector("[data-testid='connection-badge']"));
  }

  /** the badge's connection status ({@code data-connection}: live, reconnecting, offline, ...) */
  String connection() {
    return badge().getDomAttribute("data-connection");
  }

  WebElement addButton() {
    return driver.findElement(By.cssSelector("[data-testid='add-note-button']"));
  }

  List<WebElement> cards() {
    return driver.findElements(By.cssSelector("[data-testid='note-card']"));
  }

  List<String> cardIds() {
    List<String> ids = new ArrayList<>();
    for (WebElement c : cards()) {
      ids.add(c.getDomAttribute("data-note-id"));
    }
    return ids;
  }

  WebElement card(String noteId) {
    return driver.findElement(By.cssSelector("[data-testid='note-card'][data-note-id='" + noteId + "']"));
  }

  WebElement text(String noteId) {
    return card(noteId).findElement(By.cssSelector("[data-testid='note-text']"));
  }

  WebElement handle(String noteId) {
    return card(noteId).findElement(By.cssSelector("[data-testid='note-handle']"));
  }

  /** the text shown in the note's textarea, null when there is no such card */
  String textOf(String noteId) {
    return (String) js("const c = document.querySelector(`[data-testid='note-card'][data-note-id='${arguments[0]}']`);"
        + "return c ? c.querySelector(\"[data-testid='note-text']\").value : null;", noteId);
  }

  /** the card's position on the board ({@code style.left}, {@code style.top} in px), null if absent */
  int[] positionOf(String noteId) {
    @SuppressWarnings("unchecked")
    List<Number> xy = (List<Number>) js(
        "const c = document.querySelector(`[data-testid='note-card'][data-note-id='${arguments[0]}']`);"
            + "return c ? [parseFloat(c.style.left), parseFloat(c.style.top)] : null;", noteId);
    return xy == null ? null : new int[] {xy.get(0).intValue(), xy.get(1).intValue()};
  }

  /** the note as the server confirmed it (x, y, text, ...) and how many ops wait for their ack */
  @SuppressWarnings("unchecked")
  Map<String, Object> confirmed(String noteId) {
    return (Map<String, Object>) js(
        "const p = window.rollingPaper; if (!p) return null;"
            + "const n = p.state.confirmed.get(arguments[0]);"
            + "return n ? {x: n.x, y: n.y, text: n.text, pending: p.state.pending} : null;", noteId);
  }

  /** true while the note's textarea has the keyboard focus */
  boolean editing(String noteId) {
    return Boolean.TRUE.equals(js(
        "const a = document.activeElement; return !!a && a.dataset.testid === 'note-text'"
            + " && a.closest('[data-testid=note-card]').dataset.noteId === arguments[0];", noteId));
  }

  /** the user ids in the presence list */
  Set<String> presentUsers() {
    return driver.findElements(By.cssSelector("[data-testid='presence-list'] [data-testid='presence-item']"))
        .stream().map(e -> e.getDomAttribute("data-user")).collect(Collectors.toSet());
  }

  /** the names shown in the presence list */
  List<String> presentNames() {
    return driver.findElements(By.cssSelector("[data-testid='presence-list'] [data-testid='presence-item']"))
        .stream().map(WebElement::getText).collect(Collectors.toList());
  }

  // ---------------------------------------------------------------- waiting

  /** Waits (bounded, polling every 50 ms) until {@code condition} is true or non-null. */
  <T> T await(String what, Duration timeout, Function<BoardPage, T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, POLL);
    wait.ignoring(StaleElementReferenceException.class);
    wait.withMessage(() -> label + ": " + what + " (badge: " + safeConnection() + ")");
    return wait.until(d -> condition.apply(this));
  }

  <T> T await(String what, Function<BoardPage, T> condition) {
    return await(what, WAIT, condition);
  }

  String safeConnection() {
    try {
      return connection();
    } catch (RuntimeException e) {
      return "?";
    }
  }

  // ---------------------------------------------------------------- artifacts

  /** Saves a PNG of the window as {@code name} under {@code screenshots}; never throws. */
  Path screenshot(Path screenshots, String name) {
    try {
      Files.createDirectories(screenshots);
      Path target = screenshots.resolve(name);
      Path png = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(png, target, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(png);
      return target;
    } catch (IOException | RuntimeException e) {
      System.err.println("browser-test: no screenshot of " + label + ": " + e);
      return null;
    }
  }

  /** Appends the browser console (since the last call) to {@code browser-<label>.log}; never throws. */
  void saveConsole() {
    try {
      StringBuilder sb = new StringBuilder();
      for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
        sb.append(e.toString()).append('\n');
      }
      Files.writeString(dir.resolve("browser-" + label + ".log"), sb, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException | RuntimeException e) {
      System.err.println("browser-test: no console log of " + label + ": " + e);
    }
  }

  @Override
  public void close() {
    try {
      saveConsole();
    } finally {
      driver.quit();
    }
  }

  /** for failure messages */
  @Override
  public String toString() {
    return label;
  }
}
