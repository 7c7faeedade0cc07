"""Hand-written material for the generated evaluation threads: posts, sentences, sources."""

from __future__ import annotations

from tests.eval.build_threads import Topic

FLIGHTS_BODY = [
    ("Late on Saturday, March 15, three planes chartered by ICE left Harlingen, Texas, for "
    "El Salvador. Judge James Boasberg had told the government, from the bench and then in "
    "a minute order, that any plane carrying men removed under the Alien Enemies Act was to "
    "turn around. None of them did."),
    ("The government’s answer, filed Monday, is that the oral order was not binding and the "
    "written one came too late, because the planes were already over international waters. "
    "That argument would make every emergency order a race the executive can win by flying "
    "faster than the clerk can type."),
    ("What matters now is not the flight logs but the remedy. If a court cannot bring back "
    "people removed in defiance of its own order, then the order was never more than advice "
    "— and everyone at DHS knows it."),
]
FLIGHTS_QUOTES = [
    ("Judge James Boasberg had told the government, from the bench and then in a minute "
    "order, that any plane carrying men removed under the Alien Enemies Act was to turn around"),
    ("The government’s answer, filed Monday, is that the oral order was not binding and the "
    "written one came too late"),
    ("That argument would make every emergency order a race the executive can win by flying "
    "faster than the clerk can type"),
    ("If a court cannot bring back people removed in defiance of its own order, then the "
    "order was never more than advice — and everyone at DHS knows it"),
    "Late on Saturday, March 15, three planes chartered by ICE left Harlingen, Texas, for El Salvador",
]
CECOT_BODY = [
    ("The agreement the State Department signed with El Salvador pays Nayib Bukele’s "
    "government six million dollars a year to hold up to three hundred people in CECOT, the "
    "mega-prison in Tecoluca. Nobody in Congress voted on it, and the text was released "
    "only after a FOIA suit."),
    ("Human rights groups who have interviewed relatives say most of the Venezuelans sent "
    "there have no criminal record in the United States or in Venezuela. Several were "
    "identified as gang members because of tattoos of roses, crowns or soccer crests."),
    ("CECOT is built for people who are never meant to leave. Its cells hold eighty men, "
    "the lights never go off, and visits from lawyers or families are not allowed — which "
    "is precisely why the administration chose it."),
]
CECOT_QUOTES = [
    ("pays Nayib Bukele’s government six million dollars a year to hold up to three hundred "
    "people in CECOT"),
    "Nobody in Congress voted on it, and the text was released only after a FOIA suit",
    "most of the Venezuelans sent there have no criminal record in the United States or in Venezuela",
    "Several were identified as gang members because of tattoos of roses, crowns or soccer crests",
    ("Its cells hold eighty men, the lights never go off, and visits from lawyers or families "
    "are not allowed — which is precisely why the administration chose it"),
]
GITMO_BODY = [
    ("The Pentagon has now spent more than forty million dollars preparing tents at "
    "Guantanamo for migrants the administration says are too dangerous to hold anywhere "
    "else. At its peak the camp held fewer than two hundred people; most of the tents "
    "stand empty."),
    ("Flights from Fort Bliss arrive twice a week on military aircraft, at a cost the Air "
    "Force puts at more than twenty thousand dollars per flight hour. Most of those flown "
    "in are sent on to Venezuela or Honduras within days, on yet another plane."),
    ("The point of Guantanamo was never capacity. It was distance: from lawyers, from "
    "reporters, and from the federal judges who might ask what exactly these men are "
    "accused of."),
]
GITMO_QUOTES = [
    "The Pentagon has now spent more than forty million dollars preparing tents at Guantanamo",
    "At its peak the camp held fewer than two hundred people; most of the tents stand empty",
    "at a cost the Air Force puts at more than twenty thousand dollars per flight hour",
    "Most of those flown in are sent on to Venezuela or Honduras within days, on yet another plane",
    ("It was distance: from lawyers, from reporters, and from the federal judges who might "
    "ask what exactly these men are accused of"),
]

SUBJECTS_COMMON = [
    "Honestly, the solicitor general",
    "Every lawyer I know",
    "My congressman’s office",
    "The appeals panel",
    "Anyone who has read the statute",
    "The White House press office",
    "Half the Senate Judiciary Committee",
    "A career prosecutor friend of mine",
    "The local paper here in Tucson",
    "The families in Caracas",
    "Our county sheriff",
    "Bukele’s spokesman",
    "The airline that flew them",
    "The ICE field office in San Antonio",
    "Every reporter at that hearing",
    "The Fifth Circuit",
    "My own senator",
    "The inspector general",
    "A retired immigration judge",
    "The contractor running the flights",
    "Nobody at the State Department",
    "The Venezuelan consulate",
]
PREDICATES_FLIGHTS = [
    "knew perfectly well that the planes could have turned around over the Gulf",
    "keeps calling the minute order a technicality as if contempt were optional",
    "still has not produced a single manifest with names on it",
    "thinks the Alien Enemies Act was written for exactly this kind of week",
    "will discover that judges remember being lied to",
    "told me off the record that the timing was planned for a Saturday night",
    "quietly deleted the tweet bragging about the flights",
    "said the quiet part out loud about flying faster than the courts",
    "cannot explain why the third plane left after the written order",
    "should be asked under oath who gave the order to keep flying",
    "would never accept this reasoning from a private defendant",
    "has been pretending the eighteenth century statute covers a street gang",
    "filed a declaration that answers none of the judge’s five questions",
    "wants us to argue about jurisdiction instead of about the men on the plane",
    "is betting the Supreme Court will bail everyone out on standing",
    "knows that an oral order from the bench has always counted",
    "shrugged and said the pilots were just following the flight plan",
    "admitted the men were never given a chance to contest the designation",
    "argued in 2020 that the same statute was a dead letter",
    "is going to lose this one on the facts before it ever reaches the law",
    "never mentioned that two of the deportees had pending asylum cases",
    "could have asked for a stay and simply chose not to",
    "treats a federal judge like a customer service line",
    "keeps repeating that the men were processed lawfully without saying where",
    "has already booked the next charter for Thursday",
]
PREDICATES_CECOT = [
    "signed a contract that nobody is allowed to read in full",
    "posted the shaved heads video within hours of the landing",
    "cannot name the crimes most of these men supposedly committed",
    "says the prisoners are now entirely under Salvadoran jurisdiction",
    "treats a soccer crest tattoo like a signed confession",
    "has never once let an outside monitor inside those walls",
    "is paying by the head for a prison with no exit",
    "insists the United States has no power to ask for anyone back",
    "brags that the mega-prison holds forty thousand people",
    "got six million dollars and a photo opportunity out of this",
    "would not say whether the Venezuelans can call their families",
    "keeps using the word terrorists for men with no record at all",
    "knows exactly what happens to people inside a maximum security cell block",
    "sent a barber to the tarmac before sending a lawyer",
    "has made the prison itself the message to every migrant",
    "was warned by its own human rights report about conditions there",
    "turned a foreign prison into an offshore detention center for ICE",
    "hasn’t explained who decided which men went on which plane",
    "laughed off the request to return the man from Maryland",
    "will keep this deal going as long as the money keeps arriving",
    "refuses to say how many of the men are still alive and accounted for",
    "released the list of names only after reporters built their own",
    "says the mothers should file complaints in San Salvador",
    "is running a prison that Amnesty calls a black hole",
]
PREDICATES_GITMO = [
    "spent a fortune on air conditioned tents that nobody sleeps in",
    "keeps saying the worst of the worst without naming one conviction",
    "flies people to Cuba for a few days and then flies them out again",
    "chose the base because lawyers need a Pentagon escort to get there",
    "admitted the detainees were held in the same block as the war prisoners",
    "is spending more per detainee than a luxury hotel would charge",
    "still will not say how many people are held there this week",
    "told the court that habeas does not reach the migrant operations center",
    "has not let a single reporter see the tents up close",
    "treats the base as a place outside the law on purpose",
    "learned nothing from twenty years of the military commissions",
    "announced thirty thousand beds and delivered a few hundred",
    "moves people before their lawyers can file a petition",
    "keeps the transfer lists classified for no obvious reason",
    "wants the public to picture dangerous men and not asylum seekers",
    "never explained why Fort Bliss was not good enough",
    "paid the contractor whether or not the tents were used",
    "has detainees calling their families only once a month",
    "knows the cost per flight hour and published it anyway",
    "says the flights are training missions for the crews",
    "asked Congress for more money for a camp that is mostly empty",
    "is testing how far the courts will let it go offshore",
    "will not confirm whether children have ever been held there",
    "moved the Venezuelans out right before the hearing on access to counsel",
]

EXTERNALS_FLIGHTS = [
    (("The Court orders that any plane containing these individuals that is departing or in "
     "the air needs to be returned to the United States"), "https://www.courtlistener.example/docket/69741724/minute-order/"),
    ("Oopsie… Too late", "https://x.example/nayibbukele/status/1901245427216978290"),
    (("The Proclamation was effective upon signing and the government acted in accordance "
     "with it"), "https://www.justice.example/opa/pr/statement-alien-enemies-act"),
    ("A defiance of a court order of this kind would be a serious constitutional problem",
     "https://www.lawfaremedia.example/article/the-flights"),
    ("We are not going to stop, no judge is going to stop us", "https://www.cnn.example/2025/03/17/politics/border-czar"),
]
EXTERNALS_CECOT = [
    (("El Salvador agreed to detain in its prisons the individuals that the United States "
     "transfers, for a fee"), "https://www.state.example/secretary-rubio-el-salvador"),
    ("We have just sent 238 members of the Venezuelan criminal organization", "https://x.example/nayibbukele/status/1901238762614517965"),
    ("Detainees are held incommunicado and without access to lawyers or relatives",
     "https://www.amnesty.example/en/latest/news/2025/04/el-salvador-cecot/"),
    ("I am not going to smuggle a terrorist into the United States", "https://www.whitehouse.example/remarks/2025/04/14/"),
    ("The records show no criminal history in any country for most of the men",
     "https://www.propublica.example/article/venezuelans-deported-cecot"),
]
EXTERNALS_GITMO = [
    ("We have thirty thousand beds in Guantanamo to detain the worst criminal illegal aliens",
     "https://www.whitehouse.example/presidential-actions/2025/01/guantanamo-memo/"),
    ("Access to counsel at the naval station requires advance approval and an escort",
     "https://www.southcom.example/migrant-operations-center/faq"),
    ("The tents have not held a single migrant since the first week", "https://www.nytimes.example/2025/03/20/us/politics/guantanamo-tents.html"),
    ("Petitioners are held in the same facility as law of war detainees", "https://www.aclu.example/cases/las-americas-v-noem"),
    ("Each flight to the base costs the taxpayer several hundred thousand dollars",
     "https://www.cbsnews.example/news/guantanamo-migrant-flights-cost/"),
]

TOPICS = [
    Topic(
        slug="flights_boasberg", post_id=6500, post_author="bmaz",
        aliases=[["earlofhuntingdon", "Earl of Huntingdon"]],
        body=FLIGHTS_BODY, post_sentences=FLIGHTS_QUOTES,
        subjects=SUBJECTS_COMMON, predicates=PREDICATES_FLIGHTS, externals=EXTERNALS_FLIGHTS,
        cast=["ana", "zoe", "john", "paul", "earl", "mwebb", "mlee", "ellen", "tom", "hank",
              "dana", "lena", "bmaz", "wen"],
        n=108, first_id=41200, seed=15,
    ),
    Topic(
        slug="cecot_contract", post_id=6622, post_author="adam",
        aliases=[["Adam Isacson", "adamisacson"]],
        body=CECOT_BODY, post_sentences=CECOT_QUOTES,
        subjects=SUBJECTS_COMMON, predicates=PREDICATES_CECOT, externals=EXTERNALS_CECOT,
        cast=["sofia", "jose", "ralvarez", "chrisw", "chrisb", "mike", "nadia", "greta", "pete",
              "ana", "zoe", "dana", "adam"],
        n=106, first_id=52010, seed=22,
    ),
    Topic(
        slug="guantanamo_tents", post_id=6710, post_author="rayne",
        aliases=[["Rayne", "rayne (emptywheel)"], ["earlofhuntingdon", "Earl of Huntingdon"]],
        body=GITMO_BODY, post_sentences=GITMO_QUOTES,
        subjects=SUBJECTS_COMMON, predicates=PREDICATES_GITMO, externals=EXTERNALS_GITMO,
        cast=["tom", "hank", "ellen", "lena", "wen", "greta", "jose", "paul", "john", "mwebb",
              "rayne", "earl", "nadia"],
        n=104, first_id=60500, seed=31,
    ),
]
