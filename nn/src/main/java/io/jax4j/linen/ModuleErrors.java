package io.jax4j.linen;

import io.jax4j.core.Jax4jException;

import java.util.Arrays;

/** Flax's catalogue of module errors (flax/errors.py), with the same wording where Flax has one. */
public final class ModuleErrors {
    private ModuleErrors() {}

    /** A parameter exists with another shape than the module asks for: wrong input shape or foreign variables. */
    public static final class ScopeParamShapeError extends Jax4jException {
        public ScopeParamShapeError(String param, String path, int[] expected, int[] actual) {
            super("Initializer expected to generate shape " + Arrays.toString(expected) + " but got shape "
                    + Arrays.toString(actual) + " instead for parameter \"" + param + "\" in \"" + path
                    + "\". The input shape differs from the one the variables were initialised with, or the variables belong to another model.");
        }
    }

    /** A non-param variable ({@code batch_stats}, ...) exists with another shape than the module needs. */
    public static final class ScopeVariableShapeError extends Jax4jException {
        public ScopeVariableShapeError(String keyPath, int[] expected, String actual, String what) {
            super("Variable " + keyPath + " is " + actual + " but the module needs shape " + Arrays.toString(expected)
                    + " (" + what + "). The variables belong to another model, or were made for inputs of another shape.");
        }
    }

    public static final class ScopeParamNotFoundError extends Jax4jException {
        public ScopeParamNotFoundError(String param, String path) {
            super("Could not find parameter named \"" + param + "\" in scope \"" + path
                    + "\". Are the variables from another model? Initialise this model with init(...) or load matching variables.");
        }
    }

    public static final class ScopeCollectionNotFound extends Jax4jException {
        public ScopeCollectionNotFound(String col, String var, String path) {
            super("Tried to access \"" + var + "\" from collection \"" + col + "\" in \"" + path + "\" but the collection is empty."
                    + (col.equals("params") ? " Pass Variables.of(\"params\", params) to apply." : " Pass the \"" + col + "\" collection to apply, or make it mutable."));
        }
    }

    public static final class ModifyScopeVariableError extends Jax4jException {
        public ModifyScopeVariableError(String col, String var, String path) {
            super("Cannot update variable \"" + var + "\" in \"" + path + "\" because collection \"" + col
                    + "\" is immutable. Pass Apply.mutable(\"" + col + "\") to apply.");
        }
    }

    public static final class InvalidRngError extends Jax4jException {
        public InvalidRngError(String module, String stream, String path) {
            super(module + " needs an rng stream named '" + stream + "' (at \"" + path + "\"): pass rngs=..., e.g. Apply.rngs(\""
                    + stream + "\", key)");
        }
    }

    public static final class NameInUseError extends Jax4jException {
        public NameInUseError(String name, String path) {
            super("Duplicate use of scope name: \"" + name + "\" in \"" + path + "\". Give the modules or variables distinct names.");
        }
    }

    public static final class UnboundModuleError extends Jax4jException {
        public UnboundModuleError() {
            super("a module was called outside init/apply: call it inside model.init(key, () -> model.call(...)) "
                    + "or model.apply(variables, () -> model.call(...))");
        }
    }

    public static final class ApplyScopeInvalidVariablesStructureError extends Jax4jException {
        public ApplyScopeInvalidVariablesStructureError() {
            super("expected the variables to be {\"params\": {...}} but got {\"params\": {\"params\": ...}}: "
                    + "pass variables.get(\"params\") as the params collection, not the whole variables");
        }
    }
}
