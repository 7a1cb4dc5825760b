package io.stateguard.it.gateway;

import io.stateguard.gateway.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void parsesNestedValuesIntoPlainJavaTypes() {
        Object value = Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\": {\"c\": \"x\\ny\\u00e9\\\"\"}} ");

        assertThat(value).isEqualTo(Map.of(
                "a", java.util.Arrays.asList(1L, -25.0, true, false, null),
                "b", Map.of("c", "x\nyé\"")));
        assertThat(Json.at(value, "b", "c")).isEqualTo("x\nyé\"");
        assertThat(Json.at(value, "b", "missing")).isNull();
        assertThat(Json.at(value, "a", "c")).as("a list is not an object").isNull();
    }

    @Test
    void writesWhatItParses() {
        Map<String, Object> object = Json.object("state", "open", "version", 7L, "nested",
                Json.object("list", List.of("a\tb", 1L), "none", null), "ratio", 0.5);

        String json = Json.write(object);

        assertThat(json).isEqualTo("{\"state\":\"open\",\"version\":7,\"nested\":{\"list\":[\"a\\tb\",1],\"none\":null},\"ratio\":0.5}");
        assertThat(Json.parse(json)).isEqualTo(object);
    }

    @Test
    void escapesControlCharacters() {
        assertThat(Json.write("\u0001")).isEqualTo("\"\\u0001\"");
        assertThat(Json.parse(Json.write("\u0001"))).isEqualTo("\u0001");
    }

    @Test
    void largeIntegersBecomeDoubles() {
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("9223372036854775808")).isInstanceOf(Double.class);
    }

    @Test
    void rejectsInvalidJsonWithItsOffset() {
        for (String invalid : new String[] {"", "{", "{\"a\" 1}", "[1,]", "01", "1.", "tru", "\"a", "{} x", "\"\\x\"",
                "{a:1}", "-", "\"\u0001\""}) {
            assertThatThrownBy(() -> Json.parse(invalid)).as(invalid)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid JSON at offset");
        }
        assertThatThrownBy(() -> Json.parseObject("[]")).hasMessageContaining("Expected a JSON object");
        assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100))).hasMessageContaining("nesting deeper");
    }
}
