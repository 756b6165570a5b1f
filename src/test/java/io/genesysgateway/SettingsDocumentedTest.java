package io.genesysgateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * application.properties is the one home of every setting: each {{placeholder}} the routes use has a default there,
 * under a comment naming its environment variable in [BRACKETS], so the README never needs a second table.
 */
class SettingsDocumentedTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}]+)}}");
    /** parameters of route templates, filled when a template is instantiated, not settings */
    private static final Set<String> TEMPLATE_PARAMETERS = Set.of("channelId", "connectUri");

    @Test
    void everySettingTheRoutesUseHasADefault() throws IOException {
        Map<String, String> comments = commentedSettings();
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Matcher m = PLACEHOLDER.matcher(Files.readString(f));
                while (m.find()) {
                    String key = m.group(1).split(":", 2)[0];
                    if (!TEMPLATE_PARAMETERS.contains(key)) {
                        used.add(key);
                    }
                }
            }
        }
        assertThat(used).as("placeholders found in src/main/routes").hasSizeGreaterThan(40);
        assertThat(used).as("every setting the routes read has its default in application.properties")
                .allMatch(comments::containsKey);
    }

    @Test
    void everyGatewaySettingInTheFileNamesItsEnvironmentVariable() throws IOException {
        List<String> problems = new ArrayList<>();
        commentedSettings().forEach((key, comment) -> {
            if (!key.startsWith("camel.") && !comment.contains("[" + StartupCheck.envName(key) + "]")) {
                problems.add(key + ": expected [" + StartupCheck.envName(key) + "] in the comment above it");
            }
        });
        assertThat(problems).isEmpty();
    }

    /** Each setting of application.properties with the comment lines just above it. */
    private static Map<String, String> commentedSettings() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        StringBuilder comment = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("application.properties"))) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#")) {
                comment.append(trimmed).append('\n');
            } else if (trimmed.isEmpty()) {
                comment.setLength(0);
            } else {
                settings.put(trimmed.split("\\s*=", 2)[0].trim(), comment.toString());
                comment.setLength(0);
            }
        }
        return settings;
    }
}
