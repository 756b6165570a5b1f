package io.genesysgateway.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules as Prometheus reads them: {@code promtool check rules} parses every expression, and
 * {@code promtool test rules} runs deploy/prometheus/alerts-test.yaml (each alert fires on the series that should
 * raise it, after its {@code for}, and stays quiet on a healthy gateway). promtool is Debian's {@code prometheus}
 * package; .ci/run installs it and sets REQUIRE_PROMTOOL=1, so CI never skips this.
 */
class AlertRulesTest {

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @BeforeAll
    static void promtoolPresent() {
        if (System.getenv("REQUIRE_PROMTOOL") == null) {
            Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (apt-get install prometheus)");
        }
    }

    @Test
    void prometheusAcceptsTheRules() throws Exception {
        String out = promtool("check", "rules", "deploy/prometheus/alerts.yaml");
        assertThat(out).contains("SUCCESS: " + MonitoringQueriesTest.alertExpressions().size() + " rules found");
    }

    @Test
    void eachAlertFiresWhenItShouldAndOnlyThen() throws Exception {
        assertThat(promtool("test", "rules", "deploy/prometheus/alerts-test.yaml")).contains("SUCCESS");
        // every rule has a case in which it fires (the block form; the quiet cases are one-liners)
        String tests = Files.readString(Path.of("deploy/prometheus/alerts-test.yaml"));
        assertThat(MonitoringQueriesTest.alertExpressions().keySet())
                .allSatisfy(alert -> assertThat(tests).contains("alertname: " + alert + "\n"));
    }

    private static String promtool(String... args) throws Exception {
        Process process = new ProcessBuilder(concat(PROMTOOL.toString(), args)).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.println("promtool " + String.join(" ", args) + ":\n" + out);
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    private static List<String> concat(String first, String... rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), java.util.Arrays.stream(rest)).toList();
    }
}
