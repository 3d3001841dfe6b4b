package ai.dstack.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver, on the UI of one server. Tests call
 * {@link #assumeInstalled()} to be skipped (a JUnit assumption) when Chromium or chromedriver is not installed.
 */
final class Browser implements AutoCloseable {
    /** Debian's paths; {@code -Dui.chromium=...} and {@code -Dui.chromedriver=...} for others. */
    static final Path CHROMIUM = Path.of(System.getProperty("ui.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("ui.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    final ChromeDriver driver;
    private final String baseUrl;

    private Browser(ChromeDriver driver, String baseUrl) {
        this.driver = driver;
        this.baseUrl = baseUrl;
    }

    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /**
     * Skips the test unless Debian's chromium and chromium-driver are installed (per test, so that the reports count
     * the skipped tests and say why; surefire drops a class-level skip silently).
     */
    static void assumeInstalled() {
        assumeTrue(installed(), "Browser tests skipped: no " + (Files.isExecutable(CHROMIUM) ? CHROMEDRIVER : CHROMIUM)
                + "; install Debian's Chromium and its driver: apt-get install -y chromium chromium-driver");
    }

    /**
     * A fresh browser profile; the flags keep Chromium off the network (the sandbox refuses Google's hosts).
     * Downloads are saved in {@code downloads} without asking.
     */
    static Browser open(String baseUrl, Path profile, Path downloads) {
        ChromeOptions options = new ChromeOptions();
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        return new Browser(driver, baseUrl);
    }

    /** Opens a page of the UI, e.g. {@code /runs}. */
    void go(String route) {
        driver.get(baseUrl + "/#" + route);
    }

    /** Logs in through the form, as a person does. */
    void logIn(String token) {
        go("/login");
        WebElement field = await(ExpectedConditions.elementToBeClickable(By.name("token")));
        field.sendKeys(token);
        driver.findElement(By.cssSelector("form[aria-label='Log in'] button[type=submit]")).click();
        await(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
    }

    void logOut() {
        driver.findElement(By.id("logout")).click();
        await(ExpectedConditions.visibilityOfElementLocated(By.name("token")));
    }

    <T> T await(Function<WebDriver, T> condition) {
        // The pages redraw parts of themselves (live refresh): an element may be replaced while it is looked at.
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(condition);
    }

    WebElement find(By by) {
        return await(ExpectedConditions.visibilityOfElementLocated(by));
    }

    List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    void type(By by, String text) {
        WebElement element = find(by);
        element.clear();
        element.sendKeys(text);
    }

    void click(By by) {
        await(ExpectedConditions.elementToBeClickable(by)).click();
    }

    void button(String text) {
        click(By.xpath("//button[normalize-space()='" + text + "']"));
    }

    void choose(By by, String visibleText) {
        new Select(find(by)).selectByVisibleText(visibleText);
    }

    /** Answers the confirmation dialog with its confirm button. */
    void confirm() {
        click(By.cssSelector("dialog.confirm[open] button[data-confirm]"));
    }

    /** Waits until the element's text contains the text. */
    void awaitText(By by, String text) {
        await(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** The visible element's text, read again if the page redrew the element meanwhile. */
    String text(By by) {
        return await(d -> {
            WebElement element = d.findElement(by);
            return element.isDisplayed() ? element.getText() : null;
        });
    }

    String mainText() {
        return text(By.id("main"));
    }

    /** Writes a screenshot of the whole page (up to 2,400 pixels high) to {@code target/ui-screenshots/<name>.png}. */
    void screenshot(String name) {
        Dimension window = driver.manage().window().getSize();
        Number height = (Number) script("window.scrollTo(0, 0); return document.documentElement.scrollHeight;");
        try {
            Files.createDirectories(SCREENSHOTS);
            windowSize(window.getWidth(), Math.min(2400, Math.max(window.getHeight(), height.intValue() + 140)));
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            windowSize(window.getWidth(), window.getHeight());
        }
    }

    void windowSize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
