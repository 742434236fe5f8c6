"""Italian names, streets and places (comune, provincia, CAP, codice catastale) the generator draws from."""

from __future__ import annotations

FIRST_NAMES_M = (
    "Marco", "Luca", "Giuseppe", "Giovanni", "Antonio", "Francesco", "Alessandro", "Andrea", "Paolo", "Matteo",
    "Lorenzo", "Davide", "Stefano", "Roberto", "Salvatore", "Vincenzo", "Fabio", "Simone", "Riccardo", "Pietro",
)  # fmt: skip
FIRST_NAMES_F = (
    "Maria", "Anna", "Giulia", "Francesca", "Chiara", "Sara", "Laura", "Elena", "Paola", "Silvia",
    "Federica", "Valentina", "Alessandra", "Martina", "Roberta", "Giovanna", "Rosa", "Teresa", "Marta", "Ilaria",
)  # fmt: skip
SURNAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
    "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
    "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
)  # fmt: skip
BUSINESS_WORDS = (
    "Edilizia", "Trasporti", "Alimentari", "Ristorante", "Officina", "Studio", "Panificio", "Hotel", "Farmacia",
    "Lavanderia", "Autofficina", "Macelleria", "Tipografia", "Falegnameria", "Bar", "Pizzeria",
)  # fmt: skip
LARGE_WORDS = ("Industrie", "Acciaierie", "Cartiera", "Logistica", "Ospedale Privato", "Centro Commerciale")
LEGAL_FORMS = ("S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "S.r.l.s.")
PUBLIC_BODIES = ("Comune di {city}", "Istituto Comprensivo {surname} di {city}", "Provincia di {city}",
                 "Azienda Sanitaria Locale di {city}", "Università degli Studi di {city}")  # fmt: skip
STREETS = (
    "Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Piazza Duomo", "Via Verdi", "Viale Europa",
    "Via Cavour", "Via Dante Alighieri", "Corso Vittorio Emanuele II", "Via XX Settembre", "Via Marconi",
    "Via Matteotti", "Viale della Repubblica", "Via San Francesco", "Via dei Mille", "Piazza della Libertà",
)  # fmt: skip
# (comune, provincia, CAP, codice catastale)
PLACES = (
    ("Milano", "MI", "20121", "F205"), ("Roma", "RM", "00184", "H501"), ("Napoli", "NA", "80133", "F839"),
    ("Torino", "TO", "10121", "L219"), ("Bologna", "BO", "40121", "A944"), ("Firenze", "FI", "50122", "D612"),
    ("Bari", "BA", "70121", "A662"), ("Genova", "GE", "16121", "D969"), ("Verona", "VR", "37121", "L781"),
    ("Brescia", "BS", "25121", "B157"), ("Bergamo", "BG", "24121", "A794"), ("Padova", "PD", "35121", "G224"),
    ("Palermo", "PA", "90121", "G273"), ("Catania", "CT", "95121", "C351"), ("Venezia", "VE", "30121", "L736"),
    ("Trento", "TN", "38121", "L378"), ("Trieste", "TS", "34121", "L424"), ("Perugia", "PG", "06121", "G478"),
    ("Cagliari", "CA", "09121", "B354"), ("Ancona", "AN", "60121", "A271"), ("Pescara", "PE", "65121", "G482"),
    ("Parma", "PR", "43121", "G337"), ("Modena", "MO", "41121", "F257"), ("Lecce", "LE", "73100", "E506"),
    ("Salerno", "SA", "84121", "H703"), ("Como", "CO", "22100", "C933"), ("Vicenza", "VI", "36100", "L840"),
    ("Treviso", "TV", "31100", "L407"), ("Bolzano", "BZ", "39100", "A952"), ("Udine", "UD", "33100", "L483"),
    ("Livorno", "LI", "57121", "E625"), ("Pisa", "PI", "56121", "G702"), ("Ferrara", "FE", "44121", "D548"),
    ("Ravenna", "RA", "48121", "H199"), ("Potenza", "PZ", "85100", "G942"), ("Taranto", "TA", "74121", "L049"),
)  # fmt: skip
# Italian banks' ABI codes and a branch (CAB) each, for the customers' IBANs.
BANKS = (("03069", "09606"), ("02008", "01600"), ("05034", "11701"), ("03111", "11200"), ("05387", "12900"),
         ("01030", "02800"), ("05696", "01600"), ("03062", "34210"))  # fmt: skip
