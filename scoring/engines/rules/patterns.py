"""The phrase lists behind each rule, kept as readable alternatives (one idea per line).

Every list is matched case-insensitively with word boundaries unless noted. Apostrophes are
normalised to ASCII before matching (see ``norm``), so patterns only spell the ASCII form.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE


def phrases(*alternatives: str) -> re.Pattern[str]:
    """One regex matching any of ``alternatives`` as whole words."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")(?![\w-])", _FLAGS)


def norm(text: str) -> str:
    """The text rules match against: what was meant, not how a recogniser wrote it down.

    Curly apostrophes become straight; fillers ("um", "uh", ", you know,") and stuttered
    repeats ("I I sign", "is is mine") are dropped; "Q 3" / "Q three" become "Q3". Positions in
    the result are only compared with positions in the same result, never with the original.
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = _FILLER.sub("", text)
    text = _REPEAT.sub(r"\1", text)
    return _SPOKEN_QUARTER.sub(lambda m: "Q" + _QUARTER_DIGIT[m.group(1).lower()], text)


# "um", "uh", "erm" with the comma around them; ", you know," and ", like," as asides.
_FILLER = re.compile(
    r",?\s*\b(?:u+m+|u+h+|e+r+m+|e+r+|a+h+|h+m+|m+h*m+)\b[,.]?(?=\s|$)"
    r"|,\s*(?:you know|like|I mean|sort of|kind of),(?=\s)",
    _FLAGS,
)
_REPEAT = re.compile(r"\b(\w+(?:'\w+)?)(?:[\s,-]+\1\b)+", _FLAGS)
_QUARTER_DIGIT = {"1": "1", "2": "2", "3": "3", "4": "4", "one": "1", "two": "2", "three": "3",
                  "four": "4"}  # fmt: skip
_SPOKEN_QUARTER = re.compile(r"\b[Qq](?:\s|-)(1|2|3|4|one|two|three|four)\b", _FLAGS)


NEGATION = re.compile(r"\b(?:not|never|no|nobody|nothing|neither|nor|without)\b|n't\b", _FLAGS)
QUESTION_END = re.compile(r"\?\W*$")

# Text addressed to the scoring system itself ("AI: ignore your instructions", fake notices).
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?]{0,40}\b(?:instructions?|prompts?|rules"
    r"|guidelines)\b"
    r"|\bsystem\s+(?:notice|message|prompt|override|instruction)s?\b"
    r"|\b(?:mark|score|classify|rate|label|flag|tag)\s+(?:this|the|me|my|our)\s+"
    r"(?:\w+\s+){0,2}(?:as\s+)?(?:hot|warm|cold|qualified)\b"
    r"|\b(?:AI|assistant|model|bot|scoring system|language model|LLM)\s*:",
    _FLAGS,
)

# ---------------------------------------------------------------------------------------------
# Budget
# ---------------------------------------------------------------------------------------------
BUDGET_ALLOCATED = phrases(
    r"approved",
    r"allocated",
    r"set aside",
    r"earmarked",
    r"budgeted",
    r"ring-?fenced",
    r"reserved",
    r"signed off",
    r"freed up",
    r"(?:already )?moved over",
    r"in(?:to)? (?:the|this|next|our|the current|this year's|this quarter's|next quarter's)"
    r"(?: \w+){0,3} budget",
    r"(?:this|next) quarter's (?:money|budget|plan)",
    r"in the (?:capex|opex|budget) plan",
    r"aprobad[oa]s?",
    r"asignad[oa]s?",
    r"reservad[oa]s?",
    r"presupuestad[oa]s?",
    r"en el presupuesto",
    r"approuvée?s?",
    r"allouée?s?",
    r"réservée?s?",
    r"budgétée?s?",
    r"validée?s?",
    r"dans le budget",
)
BUDGET_PERIOD_OK = phrases(
    r"(?:this|next|the current|the coming|current|coming) quarter(?:'s)?",
    r"Q[1-4]",
    r"this (?:fiscal |financial |budget )?year(?:'s)?",
    r"already",
    r"(?:este|el próximo|el siguiente) trimestre",
    r"(?:ce|le prochain) trimestre|trimestre prochain",
)
BUDGET_PERIOD_LATER = phrases(
    r"next (?:fiscal |financial |budget )?year(?:'s)?",
    r"(?:the )?following year",
    r"later this year",
    r"a later (?:fiscal |financial )?year",
    r"future budget",
    r"(?:el )?próximo año",
    r"(?:l')?année prochaine",
)
BUDGET_BLOCKERS = phrases(
    r"not (?:yet |actually |really )?(?:been )?(?:signed off|approved|allocated|confirmed|final)",
    r"(?:isn't|hasn't|haven't|wasn't|aren't|weren't)(?: yet)? (?:been )?(?:signed off|approved"
    r"|allocated|set aside|confirmed)",
    r"pending",
    r"depends? on",
    r"depending on",
    r"contingent",
    r"once (?:the|our|we|it)",
    r"until (?:the|our|we|it)",
    r"if (?:we|the|our) (?:get|close|raise|land|win|hit|break|secure)",
    r"waiting (?:on|for)",
    r"grants?",
    r"funding",
    r"fundraise|fundraising",
    r"series [a-d]",
    r"breaks? even",
    r"might",
    r"maybe",
    r"possibly",
    r"hopefully",
    r"hoping",
    r"probably",
    r"would (?:need|have) to (?:be )?(?:approved|signed|go)",
    r"request(?:ed|ing)?",
    r"(?:not|no) sure",
    r"(?:don't|do not) know",
    r"no idea",
    r"frozen",
    r"pulled",
    r"cut",
)
# Money that exists but is for something else: spend, losses, write-offs, incidents.
MONEY_OTHER_USE = phrases(
    r"ad spend",
    r"on ads",
    r"(?:a|per) (?:month|week|day) on",
    r"spend(?:ing|s)?",
    r"wrote off",
    r"write-?offs?",
    r"written off",
    r"lost",
    r"los(?:e|ing|ses)",
    r"revenue",
    r"costs? us",
    r"paid",
    r"overtime",
    r"fined?",
    r"salar(?:y|ies)",
    r"duplicate",
    r"worth",
)
BUDGET_TOPIC = phrases(
    r"budget(?:ed|s)?",
    r"set aside",
    r"allocated",
    r"earmarked",
    r"approved",
    r"in the region of",
    r"ballpark",
    r"we (?:could|can|might) (?:spend|do|go to)",
    r"we(?:'ve| have)? (?:got|have) (?:something|about|around|roughly)",
    r"figure",
)
BUDGET_QUESTION = phrases(
    r"budget",
    r"set aside",
    r"allocated",
    r"earmarked",
    r"price range",
    r"spend",
    r"number in mind",
    r"figure",
    r"money",
)
BUDGET_VAGUE = phrases(
    r"(?:we|I) (?:do )?have (?:a |some )?budget",
    r"there's a number",
    r"(?:can't|cannot|won't) share (?:it|the number)",
    r"(?:haven't|have not|hasn't) set (?:anything|a figure|a number)",
    r"not (?:committing|going to commit) to (?:a|any) (?:figure|number|amount)",
    r"no (?:number|figure|budget)",
    r"(?:don't|do not) have (?:a number|anything allocated|a figure|a budget)",
)
# ---------------------------------------------------------------------------------------------
# Authority
# ---------------------------------------------------------------------------------------------
_ROLE = (
    r"(?:manager|boss|VP|vice president|CFO|CEO|COO|CTO|CIO|CRO|owners?|board|committee"
    r"|partners?|director|MD|FD|finance|head of \w+|principal|president|founders?|GM"
    r"|superintendent|provost|dean|procurement|leadership|management|executive|chair(?:man)?"
    r"|treasurer|controller|council|trustees|bosses|higher-ups|supervisor)"
)
AUTHORITY_CLAIM = phrases(
    r"I sign",
    r"I(?:'m| am) the (?:one|person|only one) (?:who|that) (?:signs|decides|approves)",
    r"I make the (?:final |ultimate )?(?:call|calls|decision|decisions)",
    r"I decide",
    r"I approve",
    r"if I say yes",
    r"I have (?:the )?(?:final|last) (?:say|word|call|sign-off|decision)",
    r"I have (?:full )?(?:sign-off|signing authority|final authority)",
    r"I(?:'m| am) the (?:final |sole |only )?(?:decision[- ]maker|approver|signer|signatory)",
    r"the (?:final |only )?(?:decision[- ]maker|approver|signer|signatory)(?: (?:for|on) "
    r"(?:this|that|it|these|purchases like this))? (?:is|would be) me",
    r"(?:'s|is|be|was) (?:entirely |totally |ultimately |really |solely |all )?my "
    r"(?:call|decision)",
    r"(?:decision|decisions|call|final say|sign-off|choice)[^.;!?]{0,40}?(?:\bis|\bare|'s) "
    r"(?:all |entirely |ultimately )?mine",
    r"so (?:is|are) the (?:final )?(?:decision|call|say|sign-off)s?",
    r"(?:mine|my call|my decision) alone",
    r"(?:the )?(?:yes or no|go or no-go|go/no-go|say-so|PO|purchase order|signature)"
    r"[^.;!?]{0,30}?(?:\bis|'s) (?:all )?mine",
    r"(?:nobody|no one|no-one) (?:else )?(?:above|over) me",
    r"(?:it's|is) (?:all )?up to me",
    r"the buck stops with me",
    r"defers? to me",
    r"(?:don't|do not) need (?:anybody|anyone|anybody else|anyone else)'?s? "
    r"(?:sign-off|approval|permission|okay|ok)",
    r"nobody else (?:signs|decides|has a say)",
    r"I own the (?:\w+ ){0,2}budget",
    r"I can (?:sign|approve|sign off)",
    # The same idea in the many ways people say it.
    r"I(?:'ve| have)? got (?:the )?(?:final|last) (?:say|word|call|sign-off)",
    r"I get the (?:final|last) (?:say|word|call)",
    r"(?:the )?(?:final|last) (?:say|word|call|sign-off|decision)(?: on this| here)? is mine",
    r"I make (?:that|those|the) (?:call|calls|decision|decisions)",
    r"I call the shots",
    r"I(?:'ll| will) be (?:the one )?(?:signing|approving|deciding)",
    r"I(?:'m| am) (?:authori[sz]ed|cleared) to (?:sign|approve|buy|purchase)",
    r"(?:within|under) my (?:own )?(?:signing |approval |spending )?(?:authority|limit)",
    r"(?:the )?decision(?:'s| is) mine to make",
    r"(?:don't|do not) (?:have|need) to (?:ask|check with|run it by|get approval from) "
    r"(?:anyone|anybody|nobody)",
    r"(?:no one|nobody|no-one) (?:else )?(?:to (?:ask|check with|run it by)|needs to (?:approve"
    r"|sign))",
    r"I(?:'m| am) the (?:one|person) (?:signing|deciding|approving)",
    r"I have (?:the )?(?:authority|signing authority|budget authority)",
    r"(?:yo )?(?:decido|firmo)",
    r"(?:yo )?tomo la decisión",
    r"(?:la decisión|la última palabra) es mía",
    r"es mi decisión",
    r"c'est moi qui (?:décide|signe|tranche)",
    r"je (?:décide|signe)",
    r"c'est ma décision",
    r"la décision (?:finale )?(?:me revient|est la mienne)",
)
AUTHORITY_DENIAL = phrases(
    r"(?:check|run (?:it|this|that|things)|clear (?:it|this|that)|confirm|sign off)"
    r" (?:with|by|past) (?:my|our|the)\b(?: \w+){0,3} " + _ROLE,
    r"run (?:it|this|that) (?:by|past)",
    r"(?:get|need) (?:sign-off|approval) from",
    r"need (?:my|our|the) (?:\w+ ){0,2}\w+'s (?:sign-off|approval|okay|blessing)",
    r"(?:has|have|goes|go) (?:to go )?(?:to|through|past) (?:the|my|our) (?:\w+ ){0,2}" + _ROLE,
    r"(?:consultarlo|consultar|hablarlo) con (?:mi|mis|el|la|los) ",
    r"(?:lo|la) decide (?:mi|el|la)",
    r"(?:en parler|voir) (?:à|avec) (?:mon|ma|mes|le|la)",
    r"(?:mon|ma|notre) \w+ (?:décide|signe)",
    r"(?:who|he|she|they)(?: also| still| ultimately| actually| usually)?"
    r" (?:signs?|decides?|approves?|has (?:the )?final|have (?:the )?final)",
    _ROLE + r"s?,?(?: \w+,)? (?:signs|decides|approves|has (?:the )?final|makes the (?:final )?"
    r"(?:call|decision))",
    r"[A-Z][a-z]+, (?:signs|decides|approves|has (?:the )?final)",
    r"final (?:say|sign-off|decision|call|approval) (?:is|sits|rests|lies|will be) with (?!me\b)",
    r"(?:not|\w+n't) (?:be )?(?:my|all my|me who)(?: \w+)? (?:call|decision|say|choice)",
    r"not up to me",
    r"(?:it's|it is) really (?:him|her|them)\b",
    r"I (?:don't|do not|can't|cannot) (?:sign|decide|approve|make (?:the|that|those) "
    r"(?:call|decision))",
    r"above my pay grade",
    r"(?:way |well |far )?above (?:me|my level)\b",
    r"over my head",
    r"I (?:just |only )?(?:do the research|make the (?:recommendation|proposal)|recommend"
    r"|bring (?:him|her|them) (?:options|a recommendation))",
    r"I'd (?:make|present|put together|write up) the (?:case|business case|recommendation)",
    r"(?:the )?(?:person|one|people|end users?|users?) who'?(?:d|ll)? (?:use|uses|be using|work"
    r" with) it",
    r"not (?:in|part of|involved in|at the table for) (?:those|the|these) (?:conversations"
    r"|decisions|discussions|meetings)",
)
# "... would decide", "... would have to approve": a denial unless the subject is I or we.
AUTHORITY_MODAL = re.compile(
    r"(?P<subject>\w+),?(?:'d|'ll| would| will| has to| have to| must| needs to| need to)"
    r"(?: \w+)? (?:have to |need to )?(?:decide|approve|sign(?: off| it| for it)?|make the "
    r"(?:call|decision))\b",
    _FLAGS,
)
DECISION_QUESTION = re.compile(
    r"\b(?:who|whose)\b[^?]*\b(?:decid|decision|sign|final say|approv|call|involved|purchas)",
    _FLAGS,
)
SELF_ANSWER = re.compile(
    r"^(?:(?:yeah|yes|oh|well|so),? )?(?:me|I do|that's me|just me|only me|that would be me"
    r"|that'd be me|yours truly|that's going to be me|that's gonna be me)\b",
    _FLAGS,
)
RETRACTION = phrases(
    r"correct myself",
    r"I misspoke",
    r"scratch that",
    r"take (?:that|it) back",
    r"walk(?:ing)? (?:that|it|this) back",
    r"actually,? (?:no|I|it|that|our|the)",
    r"I forgot",
    r"to be (?:clear|honest|fair),? I",
)
# ---------------------------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------------------------
_MONTH = (
    r"(?:January|February|March|April|(?-i:May)|June|July|August|September|Sept|October"
    r"|November|December|(?-i:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
    # Lower-case "may" is the verb, unless a day follows it ("may 17th", as ASR writes it).
    r"|may(?= (?:the )?\d{1,2}(?:st|nd|rd|th)?\b))"
)
MONTH_NAME = _MONTH
_MONTH_FOREIGN = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre"
    r"|diciembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
    r"|décembre)"
)
_ORDINAL_WORD = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    r"|twenty-(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth"
    r"|thirty-first)"
)
_DAY = r"(?:" + _ORDINAL_WORD + r"|\d{1,2}(?:st|nd|rd|th)?)"
_NUMBER_WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four"
    r"|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_COUNT = r"(?:\d+|a|" + _NUMBER_WORD + r")"
_QUARTER = r"(?:Q[1-4]|(?:the )?(?:first|second|third|fourth|this|next|current) quarter)"
EXPLICIT_DATE = phrases(
    _MONTH + r",? (?:the )?" + _DAY,
    r"(?:the )?" + _DAY + r" of " + _MONTH,
    r"(?:the )?" + _DAY + r" of (?:next|this|the (?:next|following|coming)) month",
    # "signed by the 15th": a day of this month, said with its ordinal.
    r"(?:by|before|until|no later than) the (?:"
    + _ORDINAL_WORD
    + r"|\d{1,2}(?:st|nd|rd|th))\b(?! of)",
    r"\d{1,2} " + _MONTH,
    r"(?:the )?(?:end|middle|close|beginning|start) of (?:the )?(?:"
    + _MONTH
    + r"|"
    + _QUARTER
    + r"|(?:the |this |our )?(?:fiscal |financial )?year|(?:the |this )?month)",
    r"(?:mid|early|late)[- ]" + _MONTH,
    r"(?:by|before|until|no later than) (?:the )?(?:end of )?" + _MONTH,
    r"(?:by|before) (?:the )?(?:end of )?" + _QUARTER,
    r"(?:by|before) year[- ]end",
    r"(?:within|in|inside) (?:the next )?" + _COUNT + r" (?:business |working )?(?:days|weeks"
    r"|months|day|week|month)",
    r"(?:by|before) (?:next )?(?:Monday|Tuesday|Wednesday|Thursday|Friday)",
    # Spanish and French: "antes del primero de agosto", "avant le 1er septembre", "fin juin".
    r"(?:el |le )?(?:\d{1,2}|primero|1er|premier) (?:de )?" + _MONTH_FOREIGN,
    r"(?:finales de|fin de|fin|mi-|mediados de) " + _MONTH_FOREIGN,
    r"(?:en|dans|d'ici) (?:\d+|dos|tres|cuatro|seis|treinta|deux|trois|quatre|six|trente) "
    r"(?:días|semanas|meses|jours|semaines|mois)",
)
PURCHASE_EVENT = phrases(
    r"live",
    r"go-?live",
    r"(?:it|this|that|them|everything|the \w+|be|get|got|have) (?:up and )?running",
    r"in place",
    r"signed",
    r"sign(?! up| in)",
    r"signing",
    r"switched",
    r"switch(?:ing)? over",
    r"cut ?over",
    r"implemented",
    r"installed",
    r"install",
    r"deployed",
    r"rolled out",
    r"onboarded",
    r"migrated",
    r"contract signed",
    r"sign (?:the|a) contract",
    r"purchase",
    r"buy",
    r"decision",
    r"need (?:it|this|them|to be|the (?:new )?(?:system|tool|platform|software))",
    r"have (?:it|this|them) (?:signed|live|running|done|in)",
    r"up and running",
    r"operational",
    r"start using",
    r"(?:we|I) choose",
    r"funcionando",
    r"en marcha",
    r"en marche",
    r"en service",
    r"mise? en place",
    r"opérationnelle?s?",
    r"(?:be|get|move|switch|go) (?:on|onto|over to|to) the new (?:\w+ )?(?:one|system|platform|tool"
    r"|software)",
    r"firmad[oa]",
    r"firmar",
    r"operativo",
    r"en place",
    r"signée?",
    r"signer",
    r"en production",
)
NOT_PURCHASE_OBJECT = phrases(
    r"document",
    r"memo",
    r"deck",
    r"write-?up",
    r"slides",
    r"one-pager",
    r"comparison",
    r"report",
    r"presentation",
    r"brochures?",
    r"just the",
    r"no (?:plans?|intention) to (?:buy|purchase|sign|switch)",
)
TIMELINE_HEDGE = phrases(
    r"probably",
    r"maybe",
    r"perhaps",
    r"possibly",
    r"might",
    r"hopefully",
    r"ideally",
    r"I guess",
    r"not sure",
    r"(?:don't|do not) know",
    r"no idea",
    r"would be (?:nice|ideal|great)",
    r"I'd love",
    r"we'll see",
    r"don't hold me",
    r"if possible",
    r"or so",
    r"whenever",
    r"(?:not|never) (?:going to|gonna) (?:promise|commit|give)",
    r"(?:can't|cannot|won't) (?:commit|promise)",
    r"(?:don't|do not) want to commit",
    r"tentative(?:ly)?",
    r"sometime",
    r"at some point",
    r"it'd be nice",
    r"wish",
    r"hoping",
    r"hope to",
    r"(?:won't|wouldn't|will not|would not) have (?:anything|it|something|that)",
    r"not trying to",
    r"(?:quizás|tal vez|a lo mejor|probablemente|peut-être|probablement)",
)
TIMELINE_VAGUE = phrases(
    r"soon(?:-ish)?",
    r"ASAP",
    r"as soon as (?:possible|humanly possible|we can)",
    r"yesterday",
    r"probably (?:Q[1-4]|next|in|by|after)",
    r"later this year",
    r"sometime",
    r"next year",
    r"whenever",
    r"no (?:date|deadline|rush|timeline|fixed)",
    r"(?:don't|do not) have a date",
    r"(?:don't|do not) want to (?:commit|put a date)",
    r"not (?:going to|gonna) (?:give you|promise|put) a date",
    r"don't hold me to it",
    r"in the (?:spring|summer|fall|autumn|winter)",
    r"after (?:the )?(?:\w+ )?season",
    r"Q[1-4]",
    r"not in (?:a|any) rush",
    r"just (?:looking|researching)",
    r"(?:no|any) (?:rush|hurry)",
    r"by the holidays|before the holidays",
)
TIMING_QUESTION = phrases(
    r"when",
    r"timing",
    r"timeline",
    r"time-?frame",
    r"date",
    r"deadline",
    r"how soon",
)
# ---------------------------------------------------------------------------------------------
# Need
# ---------------------------------------------------------------------------------------------
_TIME_UNIT = r"(?:hours?|minutes?|days?|weeks?|afternoons?|mornings?|evenings?|nights?|weekends?)"
# Strong signals name a cost or a failure; weak ones describe friction that is pain only when
# quantified and paired with something else ("by hand" + "two hours").
PAIN_SIGNALS: dict[str, re.Pattern[str]] = {
    "time lost": phrases(
        r"(?:spend|spends|spent|spending|waste[sd]?|wasting|lose|loses|losing|lost|takes?|took"
        r"|taking|eats?|burn(?:s|ed)?|wait(?:s|ed|ing)?|sink(?:s|ing)?)(?: \w+,?){0,8} "
        + _TIME_UNIT,
        _TIME_UNIT + r" (?:a|per|every|each) (?:day|week|month|case|ticket|order|invoice|shift)",
        r"overtime",
    ),
    "money lost": phrases(
        r"wrote off",
        r"write-?offs?",
        r"written off",
        r"costs? us",
        r"cost(?:ing)? (?:us )?a fortune",
        r"(?:paid|billed|charged|shipped|ordered) (?:\w+ ){0,3}twice",
        r"duplicate (?:payments?|invoices?|orders?|charges?|bookings?)",
        r"paid out",
        r"(?:in|as) credits",
        r"chargebacks?",
        r"(?:never|not|wasn't|weren't) (?:\w+ )?(?:get |got |been )?(?:billed|invoiced|charged)",
        r"unbilled|uncollected",
        r"overpaid",
        r"fined",
        r"penalt(?:y|ies)",
        r"refunds?",
        r"comp(?:ing|ed)",
        r"(?:walking|walked|going|went|flying) out the door",
        r"bleed(?:ing)?",
    ),
    "errors": phrases(
        r"errors?",
        r"mistakes?",
        r"wrong",
        r"duplicates?",
        r"double[- ]?(?:book\w*|count(?:ing|ed)?)",
        # "we missed six visits": a count of things that failed to happen.
        r"missed (?:about |around |over |nearly |like )?(?:\d+|a|an|one|two|three|four|five|six"
        r"|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|dozens|hundreds)"
        r" (?:\w+ )?(?:visits?|appointments?|deliveries|deadlines?|calls?|shipments?|orders?"
        r"|shifts?|inspections?|payments?|renewals?|pickups?|bookings?|jobs?|slots?|sessions?)",
        r"overbook(?:ed|ing|ings)?",
        r"no-?show(?:s)?(?: rate)?",
        r"scrap",
        r"crash(?:es|ed|ing)?",
        r"outages?",
        r"downtime",
        r"vanish(?:es|ed)?",
        r"backlog",
        r"breach(?:es)?",
        r"incidents?",
        r"fail(?:s|ed|ures?)",
        r"mortif(?:ying|ied)|embarrass(?:ing|ed)|humiliat(?:ing|ed)",
        r"mis-? ?(?:picks?|ships?|shipments?|routes?|labels?|counts?|deliveries|keyed)",
        r"(?:main|pipe) breaks|bursts?|spills?|recalls?",
        r"tripled|doubled",
        r"crept up",
    ),
    "lost business": phrases(
        r"lost (?:\w+ ){0,3}(?:customers?|clients?|accounts?|renewals?|deals?|contracts?"
        r"|restaurants?|patients?|guests?|covers|orders|sales|business|chains?|stores?|sites?"
        r"|locations?|members?|subscribers?|tenants?|shops?|buyers?|distributors?|partners?)",
        r"losing (?:\w+ ){0,3}(?:customers?|clients?|accounts?|renewals?|deals?|covers|orders"
        r"|sales|business)",
        r"churn(?:ed)?",
        r"threaten(?:ed|ing)? to (?:leave|walk|cancel|churn|switch)",
        r"cancel(?:led|ed)? on us",
    ),
    "losses": phrases(
        r"(?:lost|losing|lose|threw out|thrown out|scrapped|spoiled|spoilt|wasted|dumped) (?:about "
        r"|around |over |nearly |almost |like )?(?:\d|a |an |one |two |three |four |five |six "
        r"|seven |eight |nine |ten |twenty|thirty|forty|fifty|hundreds|thousands|dozens)",
    ),
    "audit": phrases(
        r"audit finding",
        r"finding in (?:our|the) (?:last |latest )?audit",
        r"failed (?:an|the|our|a) (?:\w+ )?(?:audit|inspection|exam)",
        r"compliance (?:issue|finding|breach)",
        r"(?:major|minor|critical) (?:audit )?findings?",
        r"(?:wrote|written|writing) (?:it |us |that )?up",
        r"citations?|cited",
        r"non-?conformances?",
        r"flagged (?:in|by|during) (?:an|the|our) (?:audit|inspection)",
    ),
    "foreign": phrases(
        r"perd(?:imos|emos|iendo|ido|ió)",
        r"errores?",
        r"quejas?",
        r"nos cuesta",
        r"nos cancelan",
        r"perd(?:u|ons|ent|s)?",
        r"perte",
        r"erreurs?",
        r"plaintes?",
        r"(?:nous )?coûte",
    ),
}
WEAK_PAIN_SIGNALS: dict[str, re.Pattern[str]] = {
    "manual work": phrases(
        r"by hand",
        r"manual(?:ly)?",
        r"re-?typ(?:e|ed|ing)",
        r"retyped",
        r"keyed",
        r"copy and paste",
        r"chasing",
        r"on paper",
        r"a mano",
        r"à la main",
    ),
    "friction": phrases(
        r"late",
        r"slow",
        r"missed",
        r"missing",
        r"stale",
        r"lag(?:s|ging)?",
        r"complain(?:ts|ing)?",
        r"tarde",
        r"retrasos?",
        r"retards?",
        r"desastre",
        r"delay(?:s|ed)?",
        r"on hold",
        r"bottlenecks?",
    ),
    "time spent": phrases(r"horas", r"heures", r"every (?:morning|day|week|month-end)"),
}
# Incidents concrete enough without a number ("lost a customer", "an audit finding").
STRONG_PAIN = frozenset({"lost business", "audit"})
NEED_DISMISSAL = re.compile(
    r"\b(?:it|that|this|everything|the system|the current one)(?:'s| is)? (?:works?|working)"
    r"(?: \w+){0,2} (?:fine|well|okay|ok)\b"
    r"|\bit works\.|\bit works fine\b"
    r"|\bnothing(?:'s| is)? (?:really )?(?:broken|wrong|major|on fire)"
    r"|\bnot (?:a|really a) (?:crisis|problem|big deal)\b|\bnot terrible\b"
    r"|\bcan't (?:think of|point to) anything\b|\bnobody'?s? (?:has )?complain(?:ed|ing)\b"
    r"|\bno (?:real )?complaints\b|(?:^|\bbut )not really\b"
    r"|\b(?:more of a|just a) (?:vibe|feeling|hunch)\b"
    r"|\b(?:it|that|this|rate|system|setup|process|tool|software|one)(?:'s| is| was) "
    r"(?:fine|adequate|okay)\b|\bworks pretty well\b|\bjust curious\b"
    r"|\bthat's about it\b",
    _FLAGS,
)
PRICE_ONLY = phrases(
    r"price",
    r"pricing",
    r"prices",
    r"expensive",
    r"cheaper",
    r"raised",
    r"increase",
    r"attitude",
    r"license fees?",
)
PAST_MIGRATION = phrases(
    r"last time we (?:switched|migrated|changed|moved)",
    r"when we (?:switched|migrated|moved)",
)
HYPOTHETICAL = phrases(
    r"would(?:'ve| have)? (?:save|saved)",
    r"would be (?:amazing|great|nice|huge)",
    r"if (?:it|you|we) could",
)
# ---------------------------------------------------------------------------------------------
# Extras
# ---------------------------------------------------------------------------------------------
BUYING_SIGNAL = phrases(
    r"(?:that's|this is) (?:exactly |literally )?(?:what|the thing) (?:I|we) (?:want|need)",
    r"I'm sold",
    r"we're (?:definitely )?doing this",
    r"(?:that|this) would be (?:amazing|huge|great)",
    r"that's huge",
    r"send (?:me |over |us )?(?:the |your )?"
    r"(?:contract|pricing|proposal|order form|quote|agreement)",
    r"(?:I|we) (?:want|need) (?:this|that|it)",
    r"(?:I'm|we're) interested",
    r"when can (?:we|you) start",
    r"love (?:that|it)",
    r"that's (?:the dream|the whole point|the part I care about)",
    r"(?:I'd|we'd) rather not wait",
)
OBJECTION = phrases(
    r"too (?:expensive|slow|much|complicated|big)",
    r"(?:can't|cannot) (?:say yes|afford|commit|promise)",
    r"not (?:committing|going to (?:promise|commit|give))",
    r"(?:don't|do not) want to (?:commit|sign|rip out|switch|start)",
    r"(?:nervous|worried|skeptical|wary|concerned)",
    r"dealbreaker",
    r"no promises",
    r"(?:don't|do not) (?:have|see) (?:a |the |any )?(?:budget|money)",
    r"not (?:in|on) (?:a|any) rush",
    r"(?:money|cash)'?s? (?:really )?tight",
    r"I'm not (?:retraining|changing|buying|signing)",
)
COMPETITOR_CUE = phrases(
    r"(?:we|I) (?:trialed|tried|tested|looked at|demoed|saw a demo of|had a call with"
    r"|had a meeting with|had one meeting with|sat through a demo with|talked to|spoke with)",
    r"(?:a guy|someone|somebody|a rep) from",
    r"switching (?:away )?from",
    r"(?:leaving|replacing|moving off|done with)",
    r"compared? (?:to|with)",
    r"also (?:talking to|looking at|evaluating)",
    r"(?:looking at|evaluating)",
    r"(?:contract|demo|call|calls|meeting) with",
    r"a demo of",
)
TECH_CUE = phrases(
    r"(?:we|I) (?:use|used|run|are on|'re on|'re using|are using)",
    r"(?:running|built|runs|run) on",
    r"(?:accounting|everything|it|that|the \w+) is in",
    r"called",
    r"(?:we're|we are|currently|been) (?:on|using)",
    r"(?:booking engine|channel manager|system|CRM|ERP|helpdesk|POS|tool) is",
)
GENERIC_TOOLS = phrases(
    r"spreadsheets?",
    r"excel",
    r"paper",
    r"whiteboards?",
    r"email",
    r"text messages?",
    r"sign-?in sheets?",
    r"clipboards?",
    r"mail merge",
    r"sticky notes",
    r"shared drive",
)
NEXT_STEP = phrases(
    r"I'll send",
    r"I'll (?:have|get) (?:that|it|this) to you",
    r"send (?:me|you|over|it)",
    r"(?:schedule|set up|book|pencil in)",
    r"demo",
    r"follow[- ]up",
    r"check in",
    r"invite",
    r"proposal",
    r"kickoff",
    r"trial",
    r"pilot",
)
WEEKDAY_OR_TIME = phrases(
    r"Monday|Tuesday|Wednesday|Thursday|Friday|next week|tomorrow|tonight|today",
    r"\d{1,2}(?::\d{2})?\s?(?:am|pm)",
)
HEADCOUNT = re.compile(
    r"(?P<number>[\w-]+(?: [\w-]+){0,4}?) (?:people|employees|staff|FTEs|full-time staff"
    r"|faculty and staff|person company|all told|at the company|in the company|company-wide)\b"
    r"|\b(?:company|company's|firm|firm's|business|we're|we are)(?: is)? (?:about |around "
    r"|roughly |right around |maybe |just over |just under )?(?P<total>[\w-]+(?: [\w-]+){0,4})",
    _FLAGS,
)
SIZE_QUESTION = phrases(
    r"how (?:big|large|many (?:people|staff|employees))",
    r"headcount",
    r"(?:staff|people|employees) (?:overall|total|in total)",
)
