package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/** A parsed fixture file: its path, the name used in report lines, and the JSON root. */
public record FixtureFile(Path path, String name, JsonNode root) {}
