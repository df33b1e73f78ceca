# cython: language_level=3, freethreading_compatible=True, embedsignature=True
"""The CORS engine, compiled: the twin of fastcors._engine_py.

Same names, same signatures, same results as the pure-Python module, which is the specification;
tests/test_engine_parity.py holds the two to that. What differs is only how: the character-level
work (control characters, RFC 9110 tokens, comma lists, header-name comparison) runs as typed C
loops, and policies are C structs. Nothing here mutates shared state after module initialisation,
so the module is safe under threads and declares itself free-threading compatible.
"""

cimport cython
from cpython.dict cimport PyDict_GetItemWithError
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_KIND, PyUnicode_New, PyUnicode_READ
from libc.string cimport memcmp, memcpy

import threading

from werkzeug.datastructures import Headers, MultiDict

from .origins import MAX_ORIGIN_LENGTH, valid_ipv6 as _valid_ipv6


cdef extern from "Python.h":
    # A no-op on Python >= 3.12; before that, a str made through the deprecated legacy C API may
    # need it before its buffer can be read with PyUnicode_KIND/DATA/READ.
    int PyUnicode_READY(object o) except -1
    bint PyUnicode_IS_ASCII(object o)

__all__ = [
    "ACAC",
    "ACAH",
    "ACAM",
    "ACAO",
    "ACAPN",
    "ACEH",
    "ACMA",
    "MARK",
    "MAX_REQUEST_HEADERS_LENGTH",
    "MAX_REQUEST_HEADERS_PIECES",
    "VIEW_KEY",
    "Edge",
    "EdgeTable",
    "Policy",
    "Resources",
    "apply",
    "apply_policy",
    "request_method",
    "routed_path",
]

ACAO = "Access-Control-Allow-Origin"
ACEH = "Access-Control-Expose-Headers"
ACAC = "Access-Control-Allow-Credentials"
ACAPN = "Access-Control-Allow-Private-Network"
ACAH = "Access-Control-Allow-Headers"
ACMA = "Access-Control-Max-Age"
ACAM = "Access-Control-Allow-Methods"

MARK = "_fastcors_evaluated"

MAX_REQUEST_HEADERS_LENGTH = 4096
MAX_REQUEST_HEADERS_PIECES = 64

cdef Py_ssize_t _MAX_LENGTH = 4096
cdef Py_ssize_t _MAX_ORIGIN_LENGTH = MAX_ORIGIN_LENGTH
# A compile-time constant: it also sizes the stack arrays of Policy.allow_headers.
cdef enum:
    _MAX_PIECES = 64

cdef str _ACAO = ACAO
cdef const char* _ACAO_LOWER = b"access-control-allow-origin"
cdef str _ACAH = ACAH
cdef str _MARK = MARK
cdef str _OPTIONS = "OPTIONS"
cdef str _TRUE = "true"
cdef str _COMMA_SPACE = ", "
cdef str _STAR = "*"
cdef tuple _VARY_ORIGIN = ("Vary", "Origin")
cdef str _HTTP_ORIGIN = "HTTP_ORIGIN"
cdef str _HTTP_ACRM = "HTTP_ACCESS_CONTROL_REQUEST_METHOD"
cdef str _HTTP_ACRH = "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"
cdef str _HTTP_ACRPN = "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"
cdef object _Headers = Headers
cdef object _MultiDict = MultiDict

# RFC 9110 tchar, for code points below 128.
cdef bint _TCHAR[128]


cdef void _init_tchar() noexcept:
    cdef int i
    for i in range(128):
        _TCHAR[i] = False
    for i in range(ord("0"), ord("9") + 1):
        _TCHAR[i] = True
    for i in range(ord("A"), ord("Z") + 1):
        _TCHAR[i] = True
    for i in range(ord("a"), ord("z") + 1):
        _TCHAR[i] = True
    for c in b"!#$%&'*+-.^_`|~":
        _TCHAR[c] = True


_init_tchar()


@cython.boundscheck(False)
@cython.wraparound(False)
cdef inline bint _has_ctl(str value) noexcept:
    """RFC 5234 CTL: NUL through US, and DEL."""
    cdef Py_UCS4 c
    for c in value:
        if c < 32 or c == 127:
            return True
    return False


cdef inline bint _is_token(int kind, void* data, Py_ssize_t start, Py_ssize_t end) noexcept:
    """Whether the characters [start, end) of a str's buffer form an RFC 9110 token."""
    cdef Py_ssize_t i
    cdef Py_UCS4 c
    if start >= end:
        return False
    for i in range(start, end):
        c = PyUnicode_READ(kind, data, i)
        if c >= 128 or not _TCHAR[c]:
            return False
    return True


cdef inline Py_UCS4 _ascii_lower(Py_UCS4 c) noexcept:
    # Integer arithmetic: Cython treats "+" on a Py_UCS4 as string concatenation.
    if 65 <= c <= 90:
        return <Py_UCS4>(<unsigned int>c | 0x20)
    return c


cdef inline bint _equals_lower(str value, const char* lower, Py_ssize_t size) noexcept:
    """ASCII case-insensitive equality with an all-lower-case ASCII C string of ``size`` chars."""
    cdef Py_ssize_t i
    cdef int kind
    cdef void* data
    if len(value) != size or PyUnicode_READY(value) == -1:
        return False
    kind = PyUnicode_KIND(value)
    data = PyUnicode_DATA(value)
    for i in range(size):
        if _ascii_lower(PyUnicode_READ(kind, data, i)) != <Py_UCS4>lower[i]:
            return False
    return True


cdef bint _lists_origin(str value) noexcept:
    """Whether one Vary field value lists "Origin" or "*" (a comma list, spaces and tabs around)."""
    cdef Py_ssize_t size = len(value)
    cdef Py_ssize_t start = 0, end, a, b, i
    cdef int kind
    cdef void* data
    cdef const char* origin = b"origin"
    if PyUnicode_READY(value) == -1:
        return False
    kind = PyUnicode_KIND(value)
    data = PyUnicode_DATA(value)
    while start <= size:
        end = start
        while end < size and PyUnicode_READ(kind, data, end) != 44:  # ","
            end += 1
        a = start
        b = end
        while a < b and _is_ows(PyUnicode_READ(kind, data, a)):
            a += 1
        while b > a and _is_ows(PyUnicode_READ(kind, data, b - 1)):
            b -= 1
        if b - a == 1 and PyUnicode_READ(kind, data, a) == 42:  # "*"
            return True
        if b - a == 6:
            for i in range(6):
                if _ascii_lower(PyUnicode_READ(kind, data, a + i)) != <Py_UCS4>origin[i]:
                    break
            else:
                return True
        start = end + 1
    return False


cdef inline bint _is_ows(Py_UCS4 c) noexcept:
    return c == 32 or c == 9  # space, tab


cdef inline object _environ_get(object environ, str key):
    cdef PyObject* found
    if type(environ) is dict:
        found = PyDict_GetItemWithError(environ, key)
        return None if found is NULL else <object>found
    return environ.get(key)


cdef inline bint _may_fold(str value) noexcept:
    """False when case folding certainly leaves the value as it is (ASCII without capitals):
    no second set lookup, no new string, for the usual browser Origin."""
    cdef Py_ssize_t i
    cdef const unsigned char* s
    if PyUnicode_READY(value) == -1 or PyUnicode_KIND(value) != 1:
        return True
    s = <const unsigned char*>PyUnicode_DATA(value)
    for i in range(len(value)):
        if s[i] >= 128 or 65 <= s[i] <= 90:
            return True
    return False


cdef inline bint _bytes_after(
    const unsigned char* a, Py_ssize_t a_size, const unsigned char* b, Py_ssize_t b_size
) noexcept:
    """Whether the 1-byte string a sorts after b (code-point order, as str comparison)."""
    cdef int r = memcmp(a, b, a_size if a_size < b_size else b_size)
    return r > 0 or (r == 0 and a_size > b_size)


cdef Py_ssize_t _browser_shaped(
    const unsigned char* s, Py_ssize_t size, Py_ssize_t* ends
) noexcept:
    """For a 1-byte str buffer: its number of pieces when it is what browsers send (RFC 9110 tokens
    joined by single commas, in ascending order), with the end of each piece written to ``ends``
    (room for _MAX_PIECES); -1 when it is not, -2 when it has too many pieces (HEADERS_BOUNDED).
    One pass, no allocation."""
    cdef Py_ssize_t i, start = 0, previous = -1, previous_size = 0, pieces = 0
    cdef unsigned char c
    for i in range(size + 1):
        if i < size:
            c = s[i]
            if c != 44:  # ","
                if c >= 128 or not _TCHAR[c]:
                    return -1
                continue
            if pieces + 1 >= _MAX_PIECES:
                return -2
        if i == start or (
            previous >= 0 and _bytes_after(s + previous, previous_size, s + start, i - start)
        ):
            return -1  # an empty piece, or out of order
        ends[pieces] = i
        pieces += 1
        previous = start
        previous_size = i - start
        start = i + 1
    return pieces


cdef bint _lower_in(const unsigned char* name, Py_ssize_t size, tuple literals) noexcept:
    """Whether an ASCII name, lower-cased, equals one of ``literals`` (lower-case ASCII bytes,
    sorted): a binary search comparing byte by byte, lower-casing the name as it goes."""
    cdef Py_ssize_t low = 0, high = len(literals), middle, i, common, literal_size
    cdef bytes literal
    cdef const unsigned char* chars
    cdef int order
    cdef unsigned char c
    while low < high:
        middle = (low + high) // 2
        literal = <bytes>literals[middle]
        literal_size = len(literal)
        chars = <const unsigned char*>literal
        common = size if size < literal_size else literal_size
        order = 0
        for i in range(common):
            c = <unsigned char>_ascii_lower(name[i])
            if c != chars[i]:
                order = -1 if c < chars[i] else 1
                break
        if order == 0:
            if size == literal_size:
                return True
            order = -1 if size < literal_size else 1
        if order < 0:
            high = middle
        else:
            low = middle + 1
    return False


cdef inline bint _scheme_char(unsigned char c) noexcept:
    return (97 <= c <= 122) or (48 <= c <= 57) or c == 43 or c == 46 or c == 45  # a-z 0-9 + . -


cdef inline bint _host_char(unsigned char c) noexcept:
    return (97 <= c <= 122) or (48 <= c <= 57) or c == 95 or c == 45  # a-z 0-9 _ -


cdef bint _valid_name(const unsigned char* s, Py_ssize_t start, Py_ssize_t end) noexcept:
    """A DNS-style host: at most 253 characters of labels of 1 to 63 [a-z0-9_-], none starting or
    ending with "-", separated by single dots."""
    cdef Py_ssize_t i, label = start
    if end - start > 253 or end == start:
        return False
    for i in range(start, end + 1):
        if i == end or s[i] == 46:  # "."
            if i == label or i - label > 63 or s[label] == 45 or s[i - 1] == 45:
                return False
            label = i + 1
        elif not _host_char(s[i]):
            return False
    return True


cdef object _split_origin(str origin):
    """(scheme, host, port) of a serialised origin, lower-cased, or None. The twin of
    fastcors.origins.split_origin, which is the specification: the same rules as C loops."""
    cdef Py_ssize_t size = len(origin), i, scheme_end, host_start, host_end, port_value
    cdef str lowered
    cdef const unsigned char* s
    if size > _MAX_ORIGIN_LENGTH or size == 0 or not origin.isascii():
        return None
    lowered = origin.lower()
    s = <const unsigned char*>PyUnicode_DATA(lowered)
    if not (97 <= s[0] <= 122):
        return None
    i = 1
    while i < size and _scheme_char(s[i]):
        i += 1
    scheme_end = i
    if size - i < 3 or s[i] != 58 or s[i + 1] != 47 or s[i + 2] != 47:  # "://"
        return None
    host_start = i + 3
    i = host_start
    if i < size and s[i] == 91:  # "[": an IPv6 address
        i += 1
        while i < size and s[i] != 93:  # "]"
            i += 1
        if i == size:
            return None
        host_end = i + 1
        if not _valid_ipv6(lowered[host_start:host_end]):
            return None
    else:
        while i < size and (_host_char(s[i]) or s[i] == 46):
            i += 1
        host_end = i
        if not _valid_name(s, host_start, host_end):
            return None
    if host_end == size:
        return (lowered[:scheme_end], lowered[host_start:host_end], None)
    if s[host_end] != 58 or size - host_end - 1 < 1 or size - host_end - 1 > 5:  # ":" + 1-5 digits
        return None
    port_value = 0
    for i in range(host_end + 1, size):
        if not (48 <= s[i] <= 57):
            return None
        port_value = port_value * 10 + (s[i] - 48)
    if port_value > 65535:
        return None
    return (lowered[:scheme_end], lowered[host_start:host_end], lowered[host_end + 1:])


@cython.final
cdef class Policy:
    """One resource's (or one decorated view's) compiled CORS options. See fastcors._engine_py."""

    cdef readonly bint any_origin
    cdef readonly object no_origin_value
    cdef readonly frozenset methods
    cdef readonly bint any_header
    cdef readonly bint vary
    cdef bint _wildcard_reply
    cdef frozenset _origin_literals
    cdef bint _origin_rules
    cdef dict _literal_pairs
    cdef tuple _origin_patterns
    cdef dict _origin_suffixes
    cdef tuple _suffix_lengths
    cdef dict _wildcard_hosts
    cdef dict _wildcard_domains
    cdef tuple _origin_checks
    cdef tuple _constant
    cdef tuple _private_network_pair
    cdef tuple _preflight
    cdef frozenset _header_literals
    cdef tuple _ascii_header_literals
    cdef tuple _header_patterns
    cdef tuple _star_pair
    cdef tuple _no_origin_pair

    def __init__(self, fields):
        self.any_origin = fields.any_origin
        self._wildcard_reply = fields.wildcard_reply
        self._origin_literals = fields.origin_literals
        self._origin_rules = fields.origin_rules
        self._origin_patterns = fields.origin_patterns
        self._origin_suffixes = fields.origin_suffixes
        self._suffix_lengths = fields.suffix_lengths
        self._wildcard_hosts = fields.wildcard_hosts
        self._wildcard_domains = fields.wildcard_domains
        self._origin_checks = fields.origin_checks
        self.no_origin_value = fields.no_origin_value
        self._constant = fields.constant
        self._private_network_pair = fields.private_network_pair
        self.methods = fields.methods
        self._preflight = fields.preflight
        self.any_header = fields.any_header
        self._header_literals = fields.header_literals
        self._header_patterns = fields.header_patterns
        self.vary = fields.vary
        # C-level representations of the same fields, built once:
        # the answer to an Origin equal to a (case-folded) literal;
        self._literal_pairs = {literal: (ACAO, literal) for literal in self._origin_literals}
        # without patterns, ASCII request names are checked on the raw bytes: with case-folded
        # literals, an ASCII name is allowed exactly when its lower case is one of the ASCII ones
        # (a non-ASCII literal never equals a token).
        self._ascii_header_literals = (
            tuple(sorted(name.encode("ascii") for name in self._header_literals if name.isascii()))
            if not self._header_patterns
            and all(name == name.casefold() for name in self._header_literals)
            else None
        )
        self._star_pair = (ACAO, "*")
        self._no_origin_pair = (
            None if self.no_origin_value is None else (ACAO, self.no_origin_value)
        )

    def __repr__(self):
        return (
            f"<Policy any_origin={self.any_origin} origins={sorted(self._origin_literals)!r} "
            f"patterns={[p.pattern for p in self._origin_patterns]!r} vary={self.vary}>"
        )

    cpdef bint origin_allowed(self, str origin) except -1:
        """Whether a (non-empty) Origin value is allowed: literal match ignoring case, or a pattern
        matching all of it. A value with a control character is never allowed."""
        if self._origin_literals and origin in self._origin_literals:
            return True
        return self._allowed_unless_exact(origin)

    cdef bint _allowed_unless_exact(self, str origin) except -1:
        """origin_allowed for an Origin already known not to equal a literal."""
        if (
            self._origin_literals
            and _may_fold(origin)
            and origin.casefold() in self._origin_literals
        ):
            return True
        if not self._origin_rules:
            return False
        if _has_ctl(origin):
            return False
        cdef tuple patterns = self._origin_patterns
        cdef Py_ssize_t size, length
        cdef PyObject* found
        cdef str lowered
        if self.any_origin:
            return True
        if self._origin_suffixes is not None and origin.isascii():
            lowered = origin.lower()
            size = len(lowered)
            patterns = ()
            for length in self._suffix_lengths:
                if length <= size:
                    found = PyDict_GetItemWithError(self._origin_suffixes, lowered[size - length:])
                    if found is not NULL:
                        patterns = <tuple>found
                        break
        for pattern in patterns:
            if pattern.fullmatch(origin) is not None:
                return True
        if (self._wildcard_hosts or self._wildcard_domains) and self._wildcard_allows(origin):
            return True
        for check in self._origin_checks:
            if check(origin):
                return True
        return False

    cdef bint _wildcard_allows(self, str origin) except -1:
        """See fastcors._engine_py.Policy._wildcard_allows."""
        cdef object parts = _split_origin(origin)
        cdef str scheme, host, prefix
        cdef object port
        cdef PyObject* found
        cdef Py_ssize_t dot
        if parts is None:
            return False
        scheme, host, port = <tuple>parts
        prefix = scheme + "://"
        found = PyDict_GetItemWithError(self._wildcard_hosts, prefix + host)
        if found is not NULL and (_STAR in <frozenset>found or port in <frozenset>found):
            return True
        if self._wildcard_domains:
            dot = host.find(".")
            while dot != -1:
                found = PyDict_GetItemWithError(self._wildcard_domains, prefix + host[dot + 1:])
                if found is not NULL and (_STAR in <frozenset>found or port in <frozenset>found):
                    return True
                dot = host.find(".", dot + 1)
        return False

    cpdef bint header_allowed(self, str name) except -1:
        """Whether one requested header name (already a valid token) is allowed."""
        if self.any_header:
            return True
        if self._header_literals and (
            name in self._header_literals or name.casefold() in self._header_literals
        ):
            return True
        for pattern in self._header_patterns:
            if pattern.match(name) is not None:
                return True
        return False

    cpdef object allow_headers(self, object value):
        """The Access-Control-Allow-Headers value for an Access-Control-Request-Headers value, or
        None (HEADERS_BOUNDED: at most 4096 characters and 64 pieces, tokens only)."""
        cdef str text
        cdef Py_ssize_t size, i, j, start, a, b, commas = 0
        cdef int kind
        cdef void* data
        cdef list names
        cdef str out
        cdef unsigned char* target
        cdef const unsigned char* source
        cdef Py_ssize_t ends[_MAX_PIECES]
        cdef bint keep[_MAX_PIECES]
        cdef Py_ssize_t pieces, kept, length, k
        if not value:
            return None
        text = <str?>value
        size = len(text)
        if size > _MAX_LENGTH:
            return None
        PyUnicode_READY(text)
        kind = PyUnicode_KIND(text)
        data = PyUnicode_DATA(text)
        if kind == 1 and (self.any_header or self._ascii_header_literals is not None):
            # The usual case, on the raw bytes: what browsers send (RFC 9110 tokens joined by single
            # commas, sorted), names allowed by "*" or by a list without patterns.
            source = <const unsigned char*>data
            pieces = _browser_shaped(source, size, ends)
            if pieces == -2:
                return None
            if pieces > 0:
                kept = 0
                length = 0
                start = 0
                for k in range(pieces):
                    keep[k] = self.any_header or _lower_in(
                        source + start, ends[k] - start, self._ascii_header_literals
                    )
                    if keep[k]:
                        kept += 1
                        length += ends[k] - start
                    start = ends[k] + 1
                if kept == 0:
                    return None
                if kept == 1 and pieces == 1:
                    return text
                out = PyUnicode_New(length + 2 * (kept - 1), 127)
                target = <unsigned char*>PyUnicode_DATA(out)
                j = 0
                start = 0
                for k in range(pieces):
                    if keep[k]:
                        if j:
                            target[j] = 44
                            target[j + 1] = 32
                            j += 2
                        memcpy(target + j, source + start, ends[k] - start)
                        j += ends[k] - start
                    start = ends[k] + 1
                return out
        # Anything else (spaces, empty pieces, disorder, non-ASCII, patterns): bound the pieces
        # without allocating, then take the names one by one.
        for i in range(size):
            if PyUnicode_READ(kind, data, i) == 44:  # ","
                commas += 1
                if commas >= _MAX_PIECES:
                    return None
        names = []
        start = 0
        for i in range(size + 1):
            if i < size and PyUnicode_READ(kind, data, i) != 44:
                continue
            a = start
            b = i
            while a < b and _is_ows(PyUnicode_READ(kind, data, a)):
                a += 1
            while b > a and _is_ows(PyUnicode_READ(kind, data, b - 1)):
                b -= 1
            if _is_token(kind, data, a, b):
                name = text[a:b]
                if self.header_allowed(name):
                    names.append(name)
            start = i + 1
        if not names:
            return None
        names.sort()
        return _COMMA_SPACE.join(names)

    cpdef bint method_allowed(self, object request_method) except -1:
        """Whether a preflight's Access-Control-Request-Method is one of the methods (METHOD_TOKEN).
        See fastcors._engine_py.Policy.method_allowed."""
        if not request_method:
            return False
        return request_method in self.methods or (<str?>request_method).upper() in self.methods

    cdef object _origin_pair(self, object origin):
        """The Access-Control-Allow-Origin pair for the request's Origin value, or None when no
        origin is allowed (nothing else is answered then)."""
        cdef PyObject* found
        if origin:
            if self._wildcard_reply:
                return self._star_pair
            found = PyDict_GetItemWithError(self._literal_pairs, <str?>origin)
            if found is not NULL:
                return <object>found
            if self._allowed_unless_exact(origin):
                return (_ACAO, origin)
            return None
        return self._no_origin_pair

    cdef int _append_rest(
        self,
        list out,
        object method,
        object request_method,
        object request_headers,
        object request_private_network,
    ) except -1:
        """Append the pairs that follow Access-Control-Allow-Origin, for an allowed request."""
        if self._constant:
            out.extend(self._constant)
        if request_private_network is not None and request_private_network == _TRUE:
            out.append(self._private_network_pair)
        if method == _OPTIONS and self.method_allowed(request_method):
            names = self.allow_headers(request_headers)
            if names is not None:
                out.append((_ACAH, names))
            if self._preflight:
                out.extend(self._preflight)
        return 0

    def evaluate(
        self,
        origin,
        str method,
        request_method,
        request_headers,
        request_private_network,
    ):
        """The CORS header pairs for one request, in Flask-CORS's order, without Vary; None when
        no origin is allowed. See fastcors._engine_py.Policy.evaluate."""
        pair = self._origin_pair(origin)
        if pair is None:
            return None
        cdef list pairs = [pair]
        self._append_rest(
            pairs, method, request_method, request_headers, request_private_network
        )
        return pairs


@cython.final
cdef class Resources:
    """The compiled ``resources`` of one ``CORS`` registration. See fastcors._engine_py."""

    cdef dict _literals
    cdef dict _buckets
    cdef tuple _lengths
    cdef object _default

    def __init__(self, table):
        self._literals = table.literals
        self._buckets = table.buckets
        self._lengths = table.lengths
        self._default = table.default

    cpdef object lookup(self, str path):
        """The policy of the first resource matching ``path``, or None."""
        cdef PyObject* found = PyDict_GetItemWithError(self._literals, path)
        cdef Py_ssize_t size, length
        cdef object candidates
        if found is not NULL:
            return <object>found
        if self._default is not None:
            return self._default
        size = len(path)
        for length in self._lengths:
            if length <= size:
                found = PyDict_GetItemWithError(self._buckets, path[:length])
                if found is not NULL:
                    candidates = <object>found
                    for pattern, policy in <tuple>candidates:
                        if pattern is None or pattern.match(path) is not None:
                            return policy
                    return None
        return None


cdef object _header_lines(object headers):
    cdef object lines
    if type(headers) is _Headers:
        lines = headers._list
    elif isinstance(headers, _Headers):
        lines = getattr(headers, "_list", None)
    else:
        return None
    return lines if type(lines) is list else None


cdef int _add_lines(
    Policy policy, object environ, object method, list lines, bint extension
) except -1:
    """Add the policy's answer to a response's header lines. See fastcors._engine_py._add_lines."""
    cdef object pair, item, name, value, acrm, acrh
    cdef bint vary = policy.vary, vary_listed = False, acao_seen
    cdef Py_ssize_t i, count, size
    if extension or vary:
        acao_seen = not extension
        count = PyList_GET_SIZE(lines)
        for i in range(count):
            item = <object>PyList_GET_ITEM(lines, i)
            if type(item) is tuple and PyTuple_GET_SIZE(item) == 2:
                name = <object>PyTuple_GET_ITEM(item, 0)
                value = <object>PyTuple_GET_ITEM(item, 1)
            else:
                name, value = item
            if type(name) is not str:
                continue
            size = len(<str>name)
            if size == 27:
                if not acao_seen and _equals_lower(<str>name, _ACAO_LOWER, 27):
                    if value:
                        return 0
                    acao_seen = True
            elif size == 4 and vary and not vary_listed and _equals_lower(<str>name, b"vary", 4):
                vary_listed = _lists_origin(str(value))
    if method == _OPTIONS:
        acrm = _environ_get(environ, _HTTP_ACRM)
        acrh = _environ_get(environ, _HTTP_ACRH)
    else:  # only preflights read these
        acrm = acrh = None
    pair = policy._origin_pair(_environ_get(environ, _HTTP_ORIGIN))
    if pair is not None:
        lines.append(pair)
        policy._append_rest(lines, method, acrm, acrh, _environ_get(environ, _HTTP_ACRPN))
    if vary and not vary_listed:
        lines.append(_VARY_ORIGIN)
    return 0


cdef int _add_headers(Policy policy, object request, object response, bint extension) except -1:
    """Add the policy's answer to the response. See fastcors._engine_py._add_headers."""
    cdef object headers, lines
    cdef list copy
    cdef Py_ssize_t size
    if getattr(response, _MARK, False):
        return 0
    headers = response.headers
    lines = _header_lines(headers)
    if lines is not None:
        return _add_lines(policy, request.environ, request.method, <list>lines, extension)
    if not isinstance(headers, (_Headers, _MultiDict)):
        headers = _MultiDict(headers)
        response.headers = headers
    copy = list(headers.items(multi=True))
    size = len(copy)
    _add_lines(policy, request.environ, request.method, copy, extension)
    for name, value in copy[size:]:
        headers.add(name, value)
    return 0


def apply(Resources resources not None, object request, object response):
    """The after-request work of ``CORS``. See fastcors._engine_py.apply."""
    policy = resources.lookup(request.path)
    if policy is not None:
        _add_headers(<Policy>policy, request, response, True)
    return response


def apply_policy(Policy policy not None, object request, object response):
    """The work of ``cross_origin``. See fastcors._engine_py.apply_policy."""
    _add_headers(policy, request, response, False)
    setattr(response, _MARK, True)
    return response


# ---------------------------------------------------------------------------------------------
# The edge: the same decisions, made at the WSGI boundary. See fastcors._engine_py.

VIEW_KEY = "fastcors.view_policy"
cdef str _VIEW_KEY = VIEW_KEY
cdef str _REQUEST_KEY = "werkzeug.request"
cdef str _PATH_INFO = "PATH_INFO"
cdef str _REQUEST_METHOD = "REQUEST_METHOD"
cdef str _GET = "GET"
cdef str _SLASH = "/"


cpdef object routed_path(object environ):
    """``request.path`` as Werkzeug computes it. See fastcors._engine_py.routed_path."""
    cdef object found = _environ_get(environ, _PATH_INFO)
    cdef str path
    cdef Py_ssize_t size
    if not found:
        return _SLASH
    if type(found) is not str:
        return None
    path = <str>found
    if not PyUnicode_IS_ASCII(path):
        try:
            path = path.encode("latin-1").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return None
    size = len(path)
    if size >= 1 and PyUnicode_READ(PyUnicode_KIND(path), PyUnicode_DATA(path), 0) == 47 and (
        size == 1 or PyUnicode_READ(PyUnicode_KIND(path), PyUnicode_DATA(path), 1) != 47
    ):
        return path
    return _SLASH + path.lstrip(_SLASH)


cpdef str request_method(object environ):
    """``request.method`` as Werkzeug computes it. See fastcors._engine_py.request_method."""
    cdef object method = _environ_get(environ, _REQUEST_METHOD)
    if method is None:
        return _GET if _REQUEST_METHOD not in environ else ""
    if type(method) is not str:
        return ""
    if method == _OPTIONS or method == _GET:
        return <str>method
    return <str>method if (<str>method).isupper() else (<str>method).upper()


@cython.final
cdef class EdgeTable:
    """What the edge of one app answers with. See fastcors._engine_py.EdgeTable."""

    cdef tuple _app_chain
    cdef dict _rule_chains
    cdef dict _rule_views
    cdef object _route
    cdef tuple _base
    cdef readonly bint all_responses
    cdef readonly str status

    def __init__(self, fields):
        self._app_chain = tuple(fields.app_chain)
        self._rule_chains = dict(fields.rule_chains)
        self._rule_views = dict(fields.rule_views)
        self._route = fields.route
        self._base = tuple(fields.base)
        self.all_responses = fields.all_responses
        self.status = fields.status

    cpdef object preflight(self, object environ):
        """The header lines of the edge's answer to a CORS preflight, or None (Flask answers)."""
        cdef object path = routed_path(environ), rule, policy
        cdef tuple chain = self._app_chain
        cdef list answer = None
        cdef PyObject* found
        if path is None:
            return None
        if self._route is not None:
            rule = self._route(environ)
            if rule is not None:
                found = PyDict_GetItemWithError(self._rule_views, rule)
                if found is not NULL:
                    answer = list(self._base)
                    _add_lines(<Policy>found, environ, _OPTIONS, answer, False)
                    return answer
                found = PyDict_GetItemWithError(self._rule_chains, rule)
                if found is not NULL:
                    chain = <tuple>found
        for resources in chain:
            policy = (<Resources>resources).lookup(<str>path)
            if policy is not None:
                if answer is None:
                    answer = list(self._base)
                _add_lines(<Policy>policy, environ, _OPTIONS, answer, True)
        return answer

    cpdef int response(self, object environ, list lines) except -1:
        """Add the CORS lines of an actual response (``edge="all"``) to its WSGI header lines."""
        cdef str method = request_method(environ)
        cdef object view = _environ_get(environ, _VIEW_KEY), path, rule, policy
        cdef tuple chain = self._app_chain
        cdef PyObject* found
        if view is not None:
            return _add_lines(<Policy?>view, environ, method, lines, False)
        path = routed_path(environ)
        if path is None:
            return 0
        if self._rule_chains:
            rule = getattr(_environ_get(environ, _REQUEST_KEY), "url_rule", None)
            if rule is not None:
                found = PyDict_GetItemWithError(self._rule_chains, id(rule))
                if found is not NULL:
                    chain = <tuple>found
        for resources in chain:
            policy = (<Resources>resources).lookup(<str>path)
            if policy is not None:
                _add_lines(<Policy>policy, environ, method, lines, True)
        return 0


@cython.final
cdef class _StartResponse:
    """The ``start_response`` the app gets under ``edge="all"``. See fastcors._engine_py."""

    cdef EdgeTable _table
    cdef object _environ
    cdef object _start_response

    def __call__(self, status, headers, exc_info=None):
        cdef list lines = headers if type(headers) is list else list(headers)
        self._table.response(self._environ, lines)
        if exc_info is None:
            return self._start_response(status, lines)
        return self._start_response(status, lines, exc_info)


@cython.final
cdef class Edge:
    """The WSGI middleware ``CORS(app, edge=...)`` puts around ``app.wsgi_app``. See
    fastcors._engine_py.Edge."""

    cdef readonly object wsgi_app
    cdef object _build
    cdef EdgeTable _table
    cdef object _lock

    def __init__(self, wsgi_app, build):
        self.wsgi_app = wsgi_app
        self._build = build
        self._table = None
        self._lock = threading.Lock()

    @property
    def table(self):
        """The edge's table, built on first use."""
        if self._table is None:
            with self._lock:
                if self._table is None:
                    self._table = EdgeTable(self._build())
        return self._table

    def __call__(self, environ, start_response):
        cdef EdgeTable table = self._table
        cdef list lines
        cdef _StartResponse wrapped
        if table is None:
            table = self.table
        if (
            _environ_get(environ, _HTTP_ACRM) is not None
            and _environ_get(environ, _HTTP_ORIGIN) is not None
            and request_method(environ) == _OPTIONS
        ):
            lines = table.preflight(environ)
            if lines is not None:
                start_response(table.status, lines)
                return []
        if table.all_responses:
            wrapped = _StartResponse.__new__(_StartResponse)
            wrapped._table = table
            wrapped._environ = environ
            wrapped._start_response = start_response
            return self.wsgi_app(environ, wrapped)
        return self.wsgi_app(environ, start_response)
