package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * A placeholder for a kind of file whose suite is not written yet: one SKIP per case (the entries
 * of {@code cases}, else the top-level fields that hold data), naming the issue that will add it.
 */
public record StubSuite(String prefix, String owner) implements CheckSuite {
    @Override
    public void run(FixtureFile file, RunOptions options, Report report) {
        String reason = "suite not implemented (" + owner + ")";
        JsonNode cases = file.root().get("cases");
        if (cases != null && cases.isArray()) {
            for (JsonNode c : cases) report.skip(file.name(), c.path("name").asText("?"), "", reason);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = file.root().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isContainerNode()) report.skip(file.name(), e.getKey(), "", reason);
        }
    }
}
