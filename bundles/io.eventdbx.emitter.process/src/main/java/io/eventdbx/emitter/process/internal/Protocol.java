package io.eventdbx.emitter.process.internal;

import org.capnproto.SegmentBuilder;
import org.capnproto.SegmentReader;
import org.capnproto.StructBuilder;
import org.capnproto.StructFactory;
import org.capnproto.StructList;
import org.capnproto.StructReader;
import org.capnproto.StructSize;
import org.capnproto.Text;

/**
 * The structs of {@code plugin.capnp}, written the way {@code capnpc-java} generates them (the Cap'n Proto Java
 * runtime is inlined in this bundle; its compiler plugin is a C++ program the build does not need for four structs).
 * Layout, per the Cap'n Proto encoding: data fields in 64-bit words, offsets counted in units of the field's own size;
 * pointer fields in declaration order. The itest reads what this writes with pycapnp and the schema file, so a
 * mistake here fails a test.
 */
final class Protocol {

    private Protocol() {}

    /** What capnpc-java generates per struct as a nested {@code Factory} class, once for all four. */
    static final class Factory<B extends StructBuilder, R extends StructReader> extends StructFactory<B, R> {

        interface Builders<B> {
            B make(SegmentBuilder segment, int data, int pointers, int dataSize, short pointerCount);
        }

        interface Readers<R> {
            R make(SegmentReader segment, int data, int pointers, int dataSize, short pointerCount, int nesting);
        }

        private final StructSize size;
        private final Builders<B> builders;
        private final Readers<R> readers;
        private final java.util.function.Function<B, R> asReader;

        Factory(StructSize size, Builders<B> builders, Readers<R> readers, java.util.function.Function<B, R> asReader) {
            this.size = size;
            this.builders = builders;
            this.readers = readers;
            this.asReader = asReader;
        }

        @Override
        public R constructReader(SegmentReader s, int data, int ptrs, int dataSize, short ptrCount, int nest) {
            return readers.make(s, data, ptrs, dataSize, ptrCount, nest);
        }

        @Override
        public B constructBuilder(SegmentBuilder s, int data, int ptrs, int dataSize, short ptrCount) {
            return builders.make(s, data, ptrs, dataSize, ptrCount);
        }

        @Override
        public StructSize structSize() {
            return size;
        }

        @Override
        public R asReader(B builder) {
            return asReader.apply(builder);
        }
    }

    /** {@code struct Hello { token @0 :Text; name @1 :Text; }}: no data, 2 pointers. */
    static final class Hello {
        static final Factory<Builder, Reader> FACTORY =
                new Factory<>(new StructSize((short) 0, (short) 2), Builder::new, Reader::new, Builder::asReader);

        static final class Builder extends StructBuilder {
            Builder(SegmentBuilder s, int data, int ptrs, int dataSize, short ptrCount) {
                super(s, data, ptrs, dataSize, ptrCount);
            }

            Reader asReader() {
                return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
            }

            void setToken(String value) {
                _setPointerField(Text.factory, 0, new Text.Reader(value));
            }

            void setName(String value) {
                _setPointerField(Text.factory, 1, new Text.Reader(value));
            }
        }

        static final class Reader extends StructReader {
            Reader(SegmentReader s, int data, int ptrs, int dataSize, short ptrCount, int nest) {
                super(s, data, ptrs, dataSize, ptrCount, nest);
            }

            String token() {
                return _pointerFieldIsNull(0)
                        ? ""
                        : _getPointerField(Text.factory, 0).toString();
            }

            String name() {
                return _pointerFieldIsNull(1)
                        ? ""
                        : _getPointerField(Text.factory, 1).toString();
            }
        }
    }

    /** {@code struct Event}: position (word 0), version (word 1); 5 text pointers. */
    static final class Event {
        static final Factory<Builder, Reader> FACTORY =
                new Factory<>(new StructSize((short) 2, (short) 5), Builder::new, Reader::new, Builder::asReader);
        static final StructList.Factory<Builder, Reader> LIST = new StructList.Factory<>(FACTORY);

        static final class Builder extends StructBuilder {
            Builder(SegmentBuilder s, int data, int ptrs, int dataSize, short ptrCount) {
                super(s, data, ptrs, dataSize, ptrCount);
            }

            Reader asReader() {
                return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
            }

            void set(
                    long position,
                    String type,
                    String id,
                    String eventType,
                    String eventId,
                    long version,
                    String json) {
                _setLongField(0, position);
                _setPointerField(Text.factory, 0, new Text.Reader(type));
                _setPointerField(Text.factory, 1, new Text.Reader(id));
                _setPointerField(Text.factory, 2, new Text.Reader(eventType));
                _setPointerField(Text.factory, 3, new Text.Reader(eventId));
                _setLongField(1, version);
                _setPointerField(Text.factory, 4, new Text.Reader(json));
            }
        }

        static final class Reader extends StructReader {
            Reader(SegmentReader s, int data, int ptrs, int dataSize, short ptrCount, int nest) {
                super(s, data, ptrs, dataSize, ptrCount, nest);
            }

            long position() {
                return _getLongField(0);
            }

            String eventId() {
                return _pointerFieldIsNull(3)
                        ? ""
                        : _getPointerField(Text.factory, 3).toString();
            }

            long version() {
                return _getLongField(1);
            }

            String json() {
                return _pointerFieldIsNull(4)
                        ? ""
                        : _getPointerField(Text.factory, 4).toString();
            }
        }
    }

    /** {@code struct Batch { events @0 :List(Event); }}: no data, 1 pointer. */
    static final class Batch {
        static final Factory<Builder, Reader> FACTORY =
                new Factory<>(new StructSize((short) 0, (short) 1), Builder::new, Reader::new, Builder::asReader);

        static final class Builder extends StructBuilder {
            Builder(SegmentBuilder s, int data, int ptrs, int dataSize, short ptrCount) {
                super(s, data, ptrs, dataSize, ptrCount);
            }

            Reader asReader() {
                return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
            }

            StructList.Builder<Event.Builder> initEvents(int count) {
                return _initPointerField(Event.LIST, 0, count);
            }
        }

        static final class Reader extends StructReader {
            Reader(SegmentReader s, int data, int ptrs, int dataSize, short ptrCount, int nest) {
                super(s, data, ptrs, dataSize, ptrCount, nest);
            }

            StructList.Reader<Event.Reader> events() {
                return _getPointerField(Event.LIST, 0);
            }
        }
    }

    /** {@code struct Ack}: retryAfterMillis (word 0), delivered and outcome (word 1, 32-bit slots 2 and 3), reason. */
    static final class Ack {
        static final Factory<Builder, Reader> FACTORY =
                new Factory<>(new StructSize((short) 2, (short) 1), Builder::new, Reader::new, Builder::asReader);

        static final class Builder extends StructBuilder {
            Builder(SegmentBuilder s, int data, int ptrs, int dataSize, short ptrCount) {
                super(s, data, ptrs, dataSize, ptrCount);
            }

            Reader asReader() {
                return new Reader(segment, data, pointers, dataSize, pointerCount, 0x7fffffff);
            }

            void set(long retryAfterMillis, int delivered, int outcome, String reason) {
                _setLongField(0, retryAfterMillis);
                _setIntField(2, delivered);
                _setIntField(3, outcome);
                if (reason != null) {
                    _setPointerField(Text.factory, 0, new Text.Reader(reason));
                }
            }
        }

        static final class Reader extends StructReader {
            Reader(SegmentReader s, int data, int ptrs, int dataSize, short ptrCount, int nest) {
                super(s, data, ptrs, dataSize, ptrCount, nest);
            }

            long retryAfterMillis() {
                return _getLongField(0);
            }

            int delivered() {
                return _getIntField(2);
            }

            int outcome() {
                return _getIntField(3);
            }

            String reason() {
                return _pointerFieldIsNull(0)
                        ? null
                        : _getPointerField(Text.factory, 0).toString();
            }
        }
    }
}
