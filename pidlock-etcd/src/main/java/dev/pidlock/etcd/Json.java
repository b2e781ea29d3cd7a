package dev.pidlock.etcd;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The little JSON this backend needs, over jackson-core's streaming parser and generator (no data binding): a
 * parsed document is a tree of {@code Map<String, Object>}, {@code List<Object>}, {@code String}, {@code Long},
 * {@code Double}, {@code Boolean} and null. etcd's gateway writes int64 fields as strings and bytes as base64.
 */
final class Json {

    static final JsonFactory FACTORY = JsonFactory.builder().build();

    /** Writes one request body. */
    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private Json() {
    }

    static byte[] write(Writer body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * @param json one JSON value
     * @return its tree
     * @throws IOException when it is not JSON
     */
    static Object parse(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IOException("empty JSON document");
            }
            return value(p, t);
        }
    }

    static Object parse(String json) throws IOException {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(value(p, e));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IOException("unexpected JSON token " + t);
        }
    }

    /** @return the object at {@code name} in {@code tree}, or an empty one */
    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object tree, String name) {
        if (tree instanceof Map<?, ?> m && m.get(name) instanceof Map<?, ?> o) {
            return (Map<String, Object>) o;
        }
        return Map.of();
    }

    /** @return the array at {@code name} in {@code tree}, or an empty one */
    @SuppressWarnings("unchecked")
    static List<Object> arr(Object tree, String name) {
        if (tree instanceof Map<?, ?> m && m.get(name) instanceof List<?> l) {
            return (List<Object>) l;
        }
        return List.of();
    }

    static Optional<String> str(Object tree, String name) {
        if (tree instanceof Map<?, ?> m && m.get(name) != null) {
            return Optional.of(String.valueOf(m.get(name)));
        }
        return Optional.empty();
    }

    /** @return the int64 at {@code name} (a string or a number in etcd's JSON); empty when absent (etcd omits 0) */
    static OptionalLong int64(Object tree, String name) {
        if (tree instanceof Map<?, ?> m) {
            Object v = m.get(name);
            if (v instanceof Number n) {
                return OptionalLong.of(n.longValue());
            }
            if (v instanceof String s) {
                try {
                    return OptionalLong.of(Long.parseLong(s));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    static boolean bool(Object tree, String name) {
        return tree instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get(name));
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] unb64(String s) {
        return Base64.getDecoder().decode(s);
    }
}
