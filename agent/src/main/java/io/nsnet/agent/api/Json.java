package io.nsnet.agent.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one place the API's JSON dialect is defined, so the server and the CLI cannot drift apart. The server
 * is strict (an unknown or mistyped field is the caller's mistake and is reported, not silently ignored); the
 * CLI reads leniently, so an older CLI keeps working against a daemon that has added response fields.
 */
public final class Json {
    private Json() {
    }

    /** Strict: unknown fields, trailing garbage and scalar coercion ("mtu": "1500") are errors. */
    public static ObjectMapper strict() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
    }

    /** For reading responses: ignores fields this client does not know. */
    public static ObjectMapper lenient() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }
}
