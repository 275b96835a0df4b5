package io.jax4j.examples.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The help texts a newcomer reads, as snapshots ({@code src/test/resources/help/*.txt}, 100 columns):
 * a change to a text shows up here ({@code JAX4J_UPDATE_SNAPSHOTS=1} rewrites them, to be reviewed in the diff). And a rule the texts once broke: every command's one-line
 * summary is a whole sentence, and no description line stops mid-sentence.
 */
class HelpTextTest {
    private static final List<List<String>> COMMANDS = List.of(List.of(), List.of("train"), List.of("example"), List.of("conformance"),
            List.of("info"), List.of("example", "transfer-learning"));

    private static CommandLine command(List<String> path) {
        CommandLine cl = Jax4jCli.commandLine();
        for (String name : path) cl = cl.getSubcommands().get(name);
        assertNotNull(cl, "no command " + path);
        return cl;
    }

    private static String usage(List<String> path) {
        CommandLine cl = command(path);
        cl.setUsageHelpWidth(100);
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static String name(List<String> path) { return path.isEmpty() ? "jax4j" : String.join("-", path); }

    @Test
    void helpTextsMatchTheirSnapshots() throws IOException {
        if ("1".equals(System.getenv("JAX4J_UPDATE_SNAPSHOTS"))) {
            for (List<String> path : COMMANDS) java.nio.file.Files.writeString(java.nio.file.Path.of("src/test/resources/help/" + name(path) + ".txt"), usage(path));
        }
        for (List<String> path : COMMANDS) {
            String name = name(path);
            try (InputStream in = HelpTextTest.class.getResourceAsStream("/help/" + name + ".txt")) {
                assertNotNull(in, "no snapshot help/" + name + ".txt; this run's text:\n" + usage(path));
                assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip(), usage(path).strip(), "jax4j " + path + " --help");
            }
        }
    }

    @Test
    void everySummaryIsAWholeSentence() {
        for (List<String> path : COMMANDS) {
            for (var sub : command(path).getSubcommands().entrySet()) {
                if (sub.getKey().equals("help")) continue;
                var spec = sub.getValue().getCommandSpec().usageMessage();
                String summary = spec.header().length > 0 ? spec.header()[0] : spec.description()[0];
                assertTrue(summary.strip().endsWith("."), "the summary of '" + sub.getKey() + "' stops mid-sentence: " + summary);
                for (String line : spec.description()) {
                    assertTrue(line.strip().endsWith(".") || line.strip().endsWith(":"),
                            "'" + sub.getKey() + "': a description line stops mid-sentence: " + line);
                }
            }
        }
    }
}
