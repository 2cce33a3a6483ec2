package dev.kafkatune.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    private static Object parse(String s) throws IOException {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nestedObjectsAndArraysKeepTheirOrder() throws IOException {
        Object v = parse("{\"z\":{\"b\":[1,[2,3],{\"c\":[]}],\"a\":{}},\"y\":[],\"x\":\"s\"}");
        Map<?, ?> top = assertInstanceOf(Map.class, v);
        assertEquals(List.of("z", "y", "x"), new ArrayList<>(top.keySet()));
        Map<?, ?> z = (Map<?, ?>) top.get("z");
        assertEquals(List.of("b", "a"), new ArrayList<>(z.keySet()));
        assertEquals(List.of(1L, List.of(2L, 3L), Map.of("c", List.of())), z.get("b"));
        assertEquals(Map.of(), z.get("a"));
        assertEquals(List.of(), top.get("y"));
        assertEquals("s", top.get("x"));
    }

    @Test
    void integersAreLongsAndEverythingElseDoubles() throws IOException {
        List<?> l = (List<?>) parse("[0, -7, 9223372036854775807, -9223372036854775808, 1.0, 2.5, 1e3, -0.25E-2]");
        assertEquals(Arrays.asList(0L, -7L, Long.MAX_VALUE, Long.MIN_VALUE, 1.0, 2.5, 1000.0, -0.0025), l);
        // 1.0 is a Double, not the Long 1: Spec tells integers from numbers by the type.
        assertInstanceOf(Double.class, l.get(4));
        assertInstanceOf(Long.class, l.get(2));
    }

    @Test
    void anIntegerBeyondLongIsAnErrorNotAWrap() {
        assertThrows(IOException.class, () -> parse("[9223372036854775808]"));
    }

    @Test
    void stringEscapesAreDecoded() throws IOException {
        Object v = parse("[\"q\\\"b\\\\s\\/n\\nr\\rt\\tb\\bf\\f\", \"\\u00e9\\u4e2d\\ud83d\\ude00\", \"\"]");
        assertEquals(List.of("q\"b\\s/n\nr\rt\tb\bf\f", "é中😀", ""), v);
    }

    @Test
    void rawUtf8IsRead() throws IOException {
        assertEquals(Map.of("clé", "värde 中"), parse("{\"clé\":\"värde 中\"}"));
    }

    @Test
    void literalsAndNullMembers() throws IOException {
        Map<?, ?> m = (Map<?, ?>) parse("{\"t\":true,\"f\":false,\"n\":null}");
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n"), "a null member is kept, as null");
        assertNull(m.get("n"));
        assertNull(parse("null"));
        assertEquals("top", parse("\"top\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void anEmptyDocumentIsAnError(String doc) {
        IOException e = assertThrows(IOException.class, () -> parse(doc));
        assertEquals("empty document", e.getMessage());
    }

    @Test
    void trailingContentIsAnError() {
        IOException e = assertThrows(IOException.class, () -> parse("{} {}"));
        assertEquals("trailing content after the JSON document", e.getMessage());
        assertThrows(IOException.class, () -> parse("[1] 2"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":}", "{\"a\":1", "[1,]", "[1 2]", "{a:1}", "{'a':1}", "nul", "[01]", "\"unterminated", "[NaN]"})
    void malformedJsonIsAnError(String doc) {
        assertThrows(IOException.class, () -> parse(doc));
    }
}
