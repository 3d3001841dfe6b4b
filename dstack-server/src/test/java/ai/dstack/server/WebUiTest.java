package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.azure.testing.FakeArmSubscription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The web UI in a real headless Chromium against a real server (real engine, SQLite file, job processes): what a
 * person does in the browser, checked on the page and through the API. One browser and one server for the class;
 * screenshots of the main pages go to {@code target/ui-screenshots/}.
 */
class WebUiTest {
    /** An Azure subscription on the fake ARM: saving a backend checks its credentials with Azure. */
    private static FakeArmSubscription azure;
    private static String azureMissingSecret;

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        if (!Browser.installed()) {
            return;
        }
        azure = FakeArm.shared().newSubscription();
        azureMissingSecret = "type: azure\ntenant_id: " + azure.tenantId() + "\nsubscription_id: " + azure.id()
                + "\ncreds:\n  type: client\n  client_id: " + azure.clientId() + "\n";
        // carol, a plain member of main, runs a task on this machine; her job (a user of its own when the server is
        // root) looks for a file in this directory.
        api = ApiServer.startSampling(dir, Duration.ofSeconds(1),
                engine -> engine.localFleet(ai.dstack.core.LocalFleetAccess.MEMBERS));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        browser = Browser.open(api.server.url(), Files.createDirectories(dir.resolve("chromium-profile")),
                Files.createDirectories(dir.resolve("downloads")));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (api != null) {
            abortActiveRuns();
            api.close();
        }
    }

    /** Job processes outlive the engine: abort what a test left running. */
    private static void abortActiveRuns() {
        JsonNode runs = api.post("/api/runs/list", api.adminToken, "{\"only_active\":true}").body();
        java.util.List<String> names = new java.util.ArrayList<>();
        runs.forEach(run -> names.add(run.path("run_spec").path("run_name").asText()));
        if (names.isEmpty()) {
            return;
        }
        ObjectNode stop = ApiServer.object().put("abort", true);
        names.forEach(stop.putArray("runs_names")::add);
        api.post("/api/project/main/runs/stop", api.adminToken, stop);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                api.post("/api/runs/list", api.adminToken, "{\"only_active\":true}").body().isEmpty());
    }

    @BeforeEach
    void browserInstalled() {
        Browser.assumeInstalled();
    }

    @AfterEach
    void logOut() {
        if (browser == null) {
            return;
        }
        browser.windowSize(1280, 900);
        browser.script("sessionStorage.clear(); localStorage.clear();");
    }

    @Test
    void anAdminSetsUpAProjectAndItsNewMemberSeesOnlyThatProject() {
        browser.logIn(api.adminToken);
        browser.awaitText(By.id("nav-account"), "admin");

        // A user, created in the page; their token is shown once.
        browser.go("/users");
        browser.type(By.name("username"), "bob");
        browser.button("Create user");
        String bobToken = browser.text(By.cssSelector(".token[data-user='bob']"));
        assertThat(api.post("/api/users/get_my_user", bobToken, (String) null).body().path("username").asText())
                .isEqualTo("bob");
        browser.awaitText(By.cssSelector("table[aria-label='Users']"), "bob");
        browser.screenshot("users");

        // A new token for bob: the old one stops working, the page shows the new one once.
        browser.button("New token for bob");
        browser.confirm();
        String oldToken = bobToken;
        browser.await(d -> !d.findElement(By.cssSelector(".token[data-user='bob']")).getText().equals(oldToken));
        bobToken = browser.text(By.cssSelector(".token[data-user='bob']"));
        assertThat(api.post("/api/users/get_my_user", oldToken, (String) null).status()).isEqualTo(403);
        assertThat(api.post("/api/users/get_my_user", bobToken, (String) null).status()).isEqualTo(200);

        // Another user, made an admin, then deleted.
        browser.type(By.name("username"), "eve");
        browser.button("Create user");
        browser.choose(By.cssSelector("select[aria-label='Global role of eve']"), "admin");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api.post("/api/users/get_user",
                api.adminToken, "{\"username\":\"eve\"}").body().path("global_role").asText()).isEqualTo("admin"));
        browser.button("Delete eve");
        browser.confirm();
        browser.await(ExpectedConditions.invisibilityOfElementLocated(By.xpath("//button[normalize-space()='Delete eve']")));
        assertThat(api.post("/api/users/get_user", api.adminToken, "{\"username\":\"eve\"}").status()).isEqualTo(400);

        // A project, and bob in it as a user.
        browser.go("/projects");
        browser.type(By.name("project_name"), "research");
        browser.button("Create project");
        browser.awaitText(By.tagName("h1"), "research");
        browser.type(By.name("member"), "bob");
        browser.choose(By.name("member_role"), "user");
        browser.button("Add member");
        browser.find(By.cssSelector("select[data-member='bob']"));
        assertThat(members("research")).contains("bob:user");
        browser.choose(By.cssSelector("select[data-member='bob']"), "manager");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(members("research")).contains("bob:manager"));

        // A backend with a mistake: the server's error is shown at its line; fixed, it is saved.
        browser.type(By.name("backend_yaml"), azureMissingSecret);
        browser.click(By.id("save-backend"));
        browser.awaitText(By.cssSelector(".yaml-error"), "Line 5, column 3");
        assertThat(browser.text(By.cssSelector(".yaml-error"))).contains("creds.client_secret: Field required");
        assertThat(browser.find(By.cssSelector(".gutter .bad")).getAttribute("data-line")).isEqualTo("5");
        browser.screenshot("backend-error");
        browser.type(By.name("backend_yaml"), azureMissingSecret + "  client_secret: " + azure.clientSecret() + "\n");
        browser.click(By.id("save-backend"));
        browser.awaitText(By.cssSelector("section.card .ok"), "Backend added.");
        assertThat(browser.all(By.cssSelector(".yaml-error"))).isEmpty();
        JsonNode backends = api.post("/api/projects/research/get", api.adminToken, (String) null).body().get("backends");
        assertThat(backends.toString()).contains("\"name\":\"azure\"");

        // A secret: set in the page, listed by name, its value never shown.
        browser.type(By.name("secret_name"), "HF_TOKEN");
        browser.type(By.name("secret_value"), "hf-value-42");
        browser.button("Set secret");
        browser.awaitText(By.cssSelector("table[aria-label='Secrets']"), "HF_TOKEN");
        assertThat(browser.driver.getPageSource()).doesNotContain("hf-value-42");
        ApiServer.Reply secret = api.post("/api/project/research/secrets/get", api.adminToken, "{\"name\":\"HF_TOKEN\"}");
        assertThat(secret.body().path("value").asText()).isEqualTo("hf-value-42");
        browser.screenshot("project-settings");

        // bob logs in with the token he was given: he sees his project, not main, and no user administration.
        browser.logOut();
        browser.logIn(bobToken);
        browser.awaitText(By.id("nav-account"), "bob");
        assertThat(browser.find(By.id("nav-account")).isDisplayed()).isTrue();
        assertThat(browser.all(By.id("nav-users")).get(0).isDisplayed()).isFalse();
        browser.go("/projects");
        browser.awaitText(By.cssSelector("table[aria-label='Projects']"), "research");
        assertThat(browser.text(By.cssSelector("table[aria-label='Projects']"))).doesNotContain("main");
        browser.go("/runs");
        browser.find(By.name("project"));
        assertThat(browser.text(By.name("project"))).contains("research").doesNotContain("main");
        browser.go("/projects/main");
        browser.awaitText(By.cssSelector("#main .error"), "You are not allowed to do this");
        assertThat(browser.mainText()).doesNotContain("Exception").doesNotContain("admin");
    }

    @Test
    void aTasksLogsAppearAsPrintedAndTheRunStopsFromItsPage() throws IOException {
        String carol = Role.createUser(api, "carol");
        assertThat(api.post("/api/projects/main/add_members", api.adminToken,
                "{\"members\":[" + Role.member("carol", "user") + "]}").status()).isEqualTo(200);
        Path go = dir.resolve("go");
        submitTask(carol, "streamer", "echo first line", "while [ ! -f " + go + " ]; do sleep 0.1; done",
                "echo second line", "sleep 300");

        browser.logIn(carol);
        browser.go("/runs");
        browser.click(By.linkText("streamer"));
        browser.awaitText(By.id("logs"), "first line");
        assertThat(browser.text(By.id("logs"))).doesNotContain("second line");
        browser.script("window.samePage = true;");

        Files.writeString(go, "");
        browser.awaitText(By.id("logs"), "second line");
        assertThat(browser.script("return window.samePage === true;")).isEqualTo(true);
        assertThat(browser.text(By.id("logs"))).isEqualTo("first line\nsecond line");
        browser.click(By.id("download-logs"));
        Path downloaded = dir.resolve("downloads").resolve("streamer.log");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.isRegularFile(downloaded));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(Files.readString(downloaded)).isEqualTo("first line\nsecond line\n"));
        browser.type(By.name("search"), "second");
        browser.awaitText(By.cssSelector(".log-view"), "1 of 2 lines match");
        assertThat(browser.text(By.id("logs"))).isEqualTo("second line");
        browser.awaitText(By.id("run-status"), "running");
        assertThat(browser.text(By.id("configuration"))).contains("type: task").contains("echo first line");
        // The job's usage, sampled every second by the server, fills the metrics table as the page refreshes it.
        browser.awaitText(By.cssSelector("table[aria-label='Metrics']"), "CPU");
        assertThat(browser.text(By.cssSelector("table[aria-label='Metrics']"))).contains("streamer-0-0", "Memory", "CPUs detected")
                .containsPattern("\\d+(\\.\\d)?(B|KB|MB|GB)");
        assertThat(browser.find(By.cssSelector("table[aria-label='Metrics'] svg.sparkline[aria-label^='CPU:']"))
                .getAttribute("aria-label"))
                .matches("CPU: \\d+ samples from .* to .*");
        browser.screenshot("run");

        // With the keyboard: Enter on Stop asks first, Escape answers no and the run goes on.
        browser.find(By.id("stop")).sendKeys(Keys.ENTER);
        browser.find(By.cssSelector("dialog.confirm[open]"));
        browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("dialog.confirm"), 0));
        assertThat(runField(carol, "status")).isEqualTo("running");

        browser.click(By.id("stop"));
        browser.confirm();
        browser.awaitText(By.id("run-status"), "terminated");
        assertThat(runField(carol, "status")).isEqualTo("terminated");
        assertThat(runField(carol, "termination_reason")).isEqualTo("stopped_by_user");

        browser.go("/runs?project=main");
        browser.awaitText(By.cssSelector("table[aria-label='Runs']"), "streamer");
        browser.screenshot("runs");

        browser.click(By.linkText("streamer"));
        browser.click(By.id("delete"));
        browser.confirm();
        browser.await(ExpectedConditions.urlContains("#/runs?project=main"));
        assertThat(api.post("/api/project/main/runs/get", carol, "{\"run_name\":\"streamer\"}").status()).isEqualTo(400);
    }

    @Test
    void fleetsOffersAndAccountPagesWorkOnALaptopAndAPhone() {
        browser.logIn(api.adminToken);
        browser.go("/fleets");
        browser.awaitText(By.cssSelector("table[aria-label='Fleets']"), "local");
        browser.click(By.linkText("local"));
        browser.awaitText(By.cssSelector("table[aria-label='Instances']"), "local-0");
        assertThat(browser.text(By.cssSelector("table[aria-label='Instances']"))).contains("xCPU").contains("remote");
        browser.screenshot("fleet");
        browser.click(By.id("delete-fleet"));
        browser.confirm();
        browser.awaitText(By.cssSelector(".message-slot .error"), "cannot be deleted");

        browser.go("/offers");
        browser.choose(By.name("project"), "main");
        browser.type(By.name("cpu"), "1..");
        browser.click(By.id("find-offers"));
        browser.awaitText(By.id("offers"), "remote");
        assertThat(browser.text(By.id("offers"))).containsPattern("\\d+ of \\d+ offers");
        browser.screenshot("offers");

        // A mistake in the form is the server's message in plain words, not a blank page.
        browser.type(By.name("gpu"), "A100:abc:oops:1:2");
        browser.click(By.id("find-offers"));
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".message-slot .error")));
        assertThat(browser.text(By.cssSelector(".message-slot .error"))).isNotBlank().doesNotContain("Exception");

        browser.go("/account");
        browser.click(By.id("show-token"));
        browser.awaitText(By.id("token"), api.adminToken);

        submitTask(api.adminToken, "hello", "echo hello");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.post("/api/project/main/runs/get", api.adminToken,
                "{\"run_name\":\"hello\"}").body().path("status").asText().equals("done"));
        browser.windowSize(390, 844);
        browser.go("/runs");
        browser.awaitText(By.id("runs-list"), "hello");
        assertThat(browser.all(By.cssSelector("#runs-list thead")).get(0).isDisplayed()).as("rows are cards").isFalse();
        browser.screenshot("runs-phone");
        Object scrollWidth = browser.script("return document.documentElement.scrollWidth;");
        assertThat(((Number) scrollWidth).intValue()).as("no sideways scrolling on a phone").isLessThanOrEqualTo(390);
    }

    @Test
    void aServicesPageShowsItsUrlAndProbes() {
        new ServiceFixture(api).apply(ServiceFixture.service("web", "v1", ",\"probes\":[{\"type\":\"http\",\"url\":\"/\"}]"));
        browser.logIn(api.adminToken);
        browser.go("/projects/main/runs/web");
        browser.awaitText(By.id("main"), "/proxy/services/main/web/");
        String link = browser.find(By.cssSelector("a[href$='/proxy/services/main/web/']")).getAttribute("href");
        assertThat(link).isEqualTo(api.server.url() + "/proxy/services/main/web/");
        browser.awaitText(By.cssSelector("table[aria-label='Probes']"), "GET /");
        browser.screenshot("service");
    }

    private static String runField(String token, String field) {
        return api.post("/api/project/main/runs/get", token, "{\"run_name\":\"streamer\"}").body().path(field).asText();
    }

    private static java.util.List<String> members(String project) {
        JsonNode body = api.post("/api/projects/" + project + "/get", api.adminToken, (String) null).body();
        java.util.List<String> members = new java.util.ArrayList<>();
        body.get("members").forEach(m -> members.add(m.path("user").path("username").asText() + ":" + m.path("project_role").asText()));
        return members;
    }

    /** Submits a small task to project main as dstack's CLI does (repos/init, runs/get_plan, runs/apply). */
    private static void submitTask(String token, String name, String... commands) {
        String p = "/api/project/main/";
        assertThat(api.post(p + "repos/init", token,
                "{\"repo_id\":\"none\",\"repo_info\":{\"repo_type\":\"virtual\"},\"repo_creds\":null}").status()).isEqualTo(200);
        ObjectNode configuration = ApiServer.object().put("type", "task").put("name", name);
        configuration.putObject("resources").put("cpu", "0..").put("memory", "0GB..");
        var list = configuration.putArray("commands");
        for (String command : commands) {
            list.add(command);
        }
        ObjectNode planRequest = ApiServer.object();
        planRequest.putObject("run_spec").put("run_name", name).put("configuration_path", "task.dstack.yml")
                .set("configuration", configuration);
        ApiServer.Reply plan = api.post(p + "runs/get_plan", token, planRequest);
        assertThat(plan.status()).as("%s", plan).isEqualTo(200);
        ObjectNode applyRequest = ApiServer.object().put("force", false);
        applyRequest.putObject("plan").set("run_spec", plan.body().get("run_spec"));
        ((ObjectNode) applyRequest.get("plan")).set("current_resource", plan.body().get("current_resource"));
        ApiServer.Reply run = api.post(p + "runs/apply", token, applyRequest);
        assertThat(run.status()).as("%s", run).isEqualTo(200);
    }
}
