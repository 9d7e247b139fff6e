package io.eventdbx.store.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyPrefixesTest {

    @Test
    void noTwoOwnersShareAPrefixAndEveryConstantIsListed() throws Exception {
        Set<Byte> declared = new HashSet<>();
        int constants = 0;
        for (Field field : KeyPrefixes.class.getDeclaredFields()) {
            if (field.getType() == byte.class && Modifier.isStatic(field.getModifiers())) {
                constants++;
                declared.add(field.getByte(null));
            }
        }
        assertEquals(constants, declared.size(), "each prefix byte has one owner");
        assertEquals(declared, new HashSet<>(KeyPrefixes.all().values()), "all() lists every constant");
    }
}
