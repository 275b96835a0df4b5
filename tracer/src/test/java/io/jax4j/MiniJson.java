package io.jax4j;

/** Reads the JSON fixtures of the tests (Jackson, numbers as Double, NaN/Infinity as Python writes them). */
public final class MiniJson {
    private MiniJson() {}

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** Jackson's tree as plain maps (insertion-ordered), lists, Doubles, strings, booleans and null. */
    public static Object parse(String text) {
        try {
            return plain(MAPPER.readValue(text, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("bad fixture JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Object plain(Object o) {
        if (o instanceof java.util.Map<?, ?> m) {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, plain(v)));
            return out;
        }
        if (o instanceof java.util.List<?> l) {
            java.util.List<Object> out = new java.util.ArrayList<>(l.size());
            for (Object v : l) out.add(plain(v));
            return out;
        }
        if (o instanceof Number n) return n.doubleValue();
        return o;
    }
}
