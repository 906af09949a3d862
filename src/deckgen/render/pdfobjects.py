"""Objects reportlab writes as they are: bytes made by deckgen, for the many small objects of a structure
tree (one per paragraph and table cell) and for streams whose dictionary must stay exactly as given."""

from __future__ import annotations

import hashlib
import itertools
import struct
import threading
import zlib
from collections import OrderedDict

from reportlab.pdfbase.pdfdoc import (PDFDictionary, PDFDocument, PDFFile, PDFFormXObject, PDFImageXObject,
                                     PDFIndirectObject, PDFObject, PDFStream, PDFZCompress)


class RawObject(PDFObject):
    """An indirect object whose body is already PDF syntax."""

    __RefOnly__ = 1

    def __init__(self, body: bytes = b""):
        self.body = body

    def format(self, document) -> bytes:
        return self.body


class RawStream(PDFObject):
    """A stream written unfiltered, its dictionary (without the closing ``>>``) as given."""

    __RefOnly__ = 1

    def __init__(self, dictionary: bytes, content: bytes):
        self.dictionary, self.content = dictionary, content

    def format(self, document) -> bytes:
        return b"%s /Length %d >>\nstream\n%s%sendstream\n" % (self.dictionary, len(self.content), self.content,
                                                              end_of_line(self.content))


def end_of_line(data: bytes) -> bytes:
    """The EOL to put between a stream's data and ``endstream``: CRLF after data ending in CR, so that
    a reader taking the EOL off (CRLF or LF, ISO 32000-1 7.3.8.1) gets the data back, its last CR too."""
    return b"\r\n" if data.endswith(b"\r") else b"\n"


_REPORTLAB_STREAM_END = b"endstream\n"
_STREAM_OBJECTS = (PDFStream, PDFFormXObject, PDFImageXObject)  # what reportlab formats with PDFStream.format


class StreamWithEOL(PDFObject):
    """A stream reportlab formats (``PDFStream.format``, also inside its form and image XObjects), written
    with an end-of-line between its data and ``endstream`` (ISO 19005-2 6.1.7.1; ISO 32000-1 7.3.8.1).

    reportlab writes ``stream\n`` + data + ``endstream`` with /Length the data's length; the EOL goes
    after the data, so /Length still counts the data alone, exactly."""

    def __init__(self, stream: PDFObject):
        self.stream = stream

    def format(self, document) -> bytes:
        filters = getattr(self.stream, "filters", None)
        if type(self.stream) is PDFStream and filters is not None and list(filters) == [PDFZCompress]:
            self.stream.filters = [KEPT_FLATE]
            try:
                formatted = self.stream.format(document)
            finally:
                self.stream.filters = filters
        else:
            formatted = self.stream.format(document)
        if not formatted.endswith(_REPORTLAB_STREAM_END) or b"\nstream\n" not in formatted:
            raise ValueError(f"{type(self.stream).__name__} was not formatted as reportlab's PDFStream")
        data_end = len(formatted) - len(_REPORTLAB_STREAM_END)
        return formatted[:data_end] + end_of_line(formatted[data_end - 1:data_end]) + _REPORTLAB_STREAM_END


class KeptFlate:
    """reportlab's FlateDecode filter (the same bytes) with the data it compressed lately kept, by the
    data's length and BLAKE2b digest: the editions of a personalised run share their fonts, colour
    profile and most pages' content streams, byte for byte."""

    pdfname = "FlateDecode"
    KEPT_BYTES = 16_000_000  # the compressed data kept, all told; a stream over a quarter of it is not kept
    ENTRY_BYTES = 200  # what an entry costs besides its data (key, dictionary slot)

    def __init__(self):
        self._kept: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def encode(self, text: bytes | bytearray | str) -> bytes:
        data = text.encode("utf8") if isinstance(text, str) else bytes(text)
        key = (len(data), hashlib.blake2b(data).digest())
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        compressed = zlib.compress(data)
        cost = len(compressed) + self.ENTRY_BYTES
        if cost > self.KEPT_BYTES // 4:
            return compressed
        with self._lock:
            if key not in self._kept:
                self._kept[key] = compressed
                self._size += cost
            while self._size > self.KEPT_BYTES:
                _, dropped = self._kept.popitem(last=False)
                self._size -= len(dropped) + self.ENTRY_BYTES
        return compressed


KEPT_FLATE = KeptFlate()


def annotation_dictionary(annotation) -> PDFDictionary:
    """reportlab's annotation (an ``Annotation`` or a ``PDFDictionary``) as a dictionary deckgen can add keys to."""
    return annotation if isinstance(annotation, PDFDictionary) else annotation.Dict()


def reference_bytes(document, name: str) -> bytes:
    """``n 0 R`` for the object reportlab registered as ``name``."""
    number, generation = document.idToObjectNumberAndVersion[name]
    return b"%d %d R" % (number, generation)


OBJECTS_PER_STREAM = 1000  # readers load an object stream whole to reach one of its objects


class CompactDocument(PDFDocument):
    """reportlab's document, saved with its ``RawObject``s packed into compressed object streams and a
    cross-reference stream (PDF 1.5, allowed by PDF/A-2): a tagged 250-page brief has tens of
    thousands of small structure elements, four fifths of its size when each is a plain object."""

    deferred_objects = None  # objects numbered after reportlab's own as the document saves (see tagging)

    def format(self) -> bytes:
        catalog_ref, info_ref = self.Reference(self.Catalog), self.Reference(self.info)
        self._pdfVersion = max(self._pdfVersion, (1, 7))
        output = PDFFile(self._pdfVersion)
        numbers = self.numberToId
        entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 0xFFFF)}  # number -> (type, field 2, field 3)
        raw: list[tuple[int, RawObject]] = []
        number = 0
        while number + 1 in numbers:  # objects may register more objects as they are formatted
            number += 1
            obj = self.idToObject[numbers[number]]
            if isinstance(obj, RawObject):
                raw.append((number, obj))
            else:
                if isinstance(obj, _STREAM_OBJECTS):
                    obj = StreamWithEOL(obj)
                entries[number] = (1, output.add(PDFIndirectObject(numbers[number], obj).format(self)), 0)
        deferred = self.deferred_objects
        packed = iter(())
        if deferred is not None:
            packed = enumerate(deferred.bodies(number + 1), start=number + 1)
            number += deferred.count
        packed = itertools.chain(packed, ((n, obj.body) for n, obj in raw))  # the deferred set raw bodies first
        while chunk := list(itertools.islice(packed, OBJECTS_PER_STREAM)):
            number += 1
            header, offset = [], 0
            for index, (packed_number, body) in enumerate(chunk):
                header.append(b"%d %d" % (packed_number, offset))
                offset += len(body) + 1
                entries[packed_number] = (2, number, index)
            head = b" ".join(header) + b"\n"
            data = zlib.compress(head + b"\n".join(body for _, body in chunk) + b"\n")
            entries[number] = (1, output.add(
                b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s%sendstream\nendobj\n"
                % (number, len(chunk), len(head), len(data), data, end_of_line(data))), 0)
        number += 1
        xref_offset = output.offset
        entries[number] = (1, xref_offset, 0)
        table = zlib.compress(_png_up_rows([struct.pack(">BIH", *entries[n]) for n in range(number + 1)]))
        output.add(
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %s /Info %s /ID %s /Filter /FlateDecode"
            b" /DecodeParms << /Columns 7 /Predictor 12 >> /Length %d >>\n"
            b"stream\n%s%sendstream\nendobj\nstartxref\n%d\n%%%%EOF\n"
            % (number, number + 1, catalog_ref.format(self), info_ref.format(self), self.ID().strip(), len(table), table,
               end_of_line(table), xref_offset))
        return output.format(self)


def _png_up_rows(rows: list[bytes]) -> bytes:
    """Cross-reference rows with the PNG "Up" predictor: each byte less the one above it, so runs of
    near-equal offsets compress to almost nothing (a tenth of the size, unpredicted, on a long brief).

    All rows are subtracted at once, bytewise modulo 256, as two big integers: the top bit of every
    byte is set aside so that no byte borrows from the one before it, then put back (SWAR)."""
    if not rows:
        return b""
    width, count = len(rows[0]), len(rows)
    data = b"".join(rows)
    size = len(data)
    current = int.from_bytes(data, "big")
    above = int.from_bytes(data[:-width], "big")  # each row's predecessor; the first row's is zeros
    high = int.from_bytes(b"\x80" * size, "big")
    difference = ((current | high) - (above & ~high)) ^ ((current ^ ~above) & high)
    predicted = (difference & ((1 << (8 * size)) - 1)).to_bytes(size, "big")
    out = bytearray(size + count)
    out[0::width + 1] = b"\x02" * count  # each row starts with its predictor, 2 (Up)
    for column in range(width):
        out[column + 1::width + 1] = predicted[column::width]
    return bytes(out)