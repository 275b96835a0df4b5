package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;

/**
 * Values an ops file shares between cases. The definition's {@code labels} (integer class labels)
 * are an input of {@code xent_int_labels}, and are also closed over, not passed, by
 * {@code xent_onehot} and {@code sigmoid_bce}; those read them from that case of the same file.
 */
record OpsContext(Array labelsOrNull) {
    static final String LABELS_CASE = "xent_int_labels";

    static OpsContext of(JsonNode root) {
        for (JsonNode c : root.path("cases")) {
            if (LABELS_CASE.equals(c.path("name").asText()) && c.path("inputs").size() > 1) {
                return new OpsContext(FixtureArrays.decode(c.path("inputs").get(1)));
            }
        }
        return new OpsContext(null);
    }

    Array labels() {
        if (labelsOrNull == null) {
            throw new MissingInput("needs the integer labels of case " + LABELS_CASE + " (inputs[1]), which this file lacks");
        }
        return labelsOrNull;
    }

    /** A case cannot run because the file lacks a value it needs: a SKIP, not a failure. */
    static final class MissingInput extends RuntimeException {
        MissingInput(String message) { super(message); }
    }
}
