"""Narratives, item descriptions and concealment details of demo reports, written in the reporting
administration's language (en, es, fr, nl) from templates with variation."""
from __future__ import annotations

import gettext
import random
from datetime import date
from functools import lru_cache

import pycountry

from app import vocabularies as vocab
from app.demo.commodities import ItemDraft

MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "nl": "januari februari maart april mei juni juli augustus september oktober november december".split(),
}
DATE_FORMATS = {"en": "{d} {m} {y}", "es": "{d} de {m} de {y}", "fr": "{d} {m} {y}", "nl": "{d} {m} {y}"}

# noun key -> (singular, plural[, gender for es/fr])
NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "cigarettes": ("cigarettes", "cigarettes"), "cigars": ("cigars", "cigars"),
        "waterpipe": ("waterpipe tobacco", "waterpipe tobacco"), "raw_tobacco": ("raw tobacco", "raw tobacco"),
        "e_cigarettes": ("e-cigarette", "e-cigarettes"), "gasoline": ("gasoline", "gasoline"),
        "diesel": ("diesel", "diesel"), "kerosene": ("kerosene", "kerosene"), "lpg": ("LPG", "LPG"),
        "pistol": ("pistol", "pistols"), "revolver": ("revolver", "revolvers"), "rifle": ("rifle", "rifles"),
        "shotgun": ("shotgun", "shotguns"), "assault_rifle": ("assault rifle", "assault rifles"),
        "submachine_gun": ("submachine gun", "submachine guns"),
        "parts_components": ("firearm part", "firearm parts"), "ammunition": ("ammunition", "ammunition"),
        "cocaine": ("cocaine", "cocaine"), "cannabis": ("cannabis", "cannabis"), "heroin": ("heroin", "heroin"),
        "methamphetamine": ("methamphetamine", "methamphetamine"), "synthetic": ("ecstasy (MDMA)", "ecstasy (MDMA)"),
        "other_drug": ("ketamine", "ketamine"), "rum": ("rum", "rum"), "whisky": ("whisky", "whisky"),
        "vodka": ("vodka", "vodka"), "wine": ("wine", "wine"), "champagne": ("champagne", "champagne"),
        "beer": ("beer", "beer"), "phones": ("mobile phone", "mobile phones"), "handbags": ("handbag", "handbags"),
        "shoes": ("pair of sports shoes", "pairs of sports shoes"), "clothing": ("garment", "garments"),
        "watches": ("watch", "watches"), "medicines": ("tablets", "tablets"), "perfume": ("perfume", "perfumes"),
        "auto_parts": ("auto part", "auto parts"), "parrots": ("Amazon parrot", "Amazon parrots"),
        "songbirds": ("songbird (twa-twa)", "songbirds (twa-twa)"),
        "turtle_shell": ("hawksbill shell item", "hawksbill shell items"), "conch": ("queen conch", "queen conch"),
        "sea_cucumber": ("sea cucumber", "sea cucumber"), "explosives": ("explosives", "explosives"),
        "jewellery": ("piece of jewellery", "pieces of jewellery"),
    },
    "es": {
        "cigarettes": ("cigarrillos", "cigarrillos", "m"), "cigars": ("puros", "puros", "m"),
        "waterpipe": ("tabaco para pipa de agua", "tabaco para pipa de agua", "m"),
        "raw_tobacco": ("tabaco en rama", "tabaco en rama", "m"),
        "e_cigarettes": ("cigarrillo electrónico", "cigarrillos electrónicos", "m"),
        "gasoline": ("gasolina", "gasolina", "f"), "diesel": ("diésel", "diésel", "m"),
        "kerosene": ("queroseno", "queroseno", "m"), "lpg": ("GLP", "GLP", "m"),
        "pistol": ("pistola", "pistolas", "f"), "revolver": ("revólver", "revólveres", "m"),
        "rifle": ("rifle", "rifles", "m"), "shotgun": ("escopeta", "escopetas", "f"),
        "assault_rifle": ("fusil de asalto", "fusiles de asalto", "m"),
        "submachine_gun": ("subfusil", "subfusiles", "m"),
        "parts_components": ("pieza de arma de fuego", "piezas de armas de fuego", "f"),
        "ammunition": ("munición", "munición", "f"), "cocaine": ("cocaína", "cocaína", "f"),
        "cannabis": ("marihuana", "marihuana", "f"), "heroin": ("heroína", "heroína", "f"),
        "methamphetamine": ("metanfetamina", "metanfetamina", "f"), "synthetic": ("éxtasis (MDMA)", "éxtasis (MDMA)", "m"),
        "other_drug": ("ketamina", "ketamina", "f"), "rum": ("ron", "ron", "m"), "whisky": ("whisky", "whisky", "m"),
        "vodka": ("vodka", "vodka", "m"), "wine": ("vino", "vino", "m"), "champagne": ("champán", "champán", "m"),
        "beer": ("cerveza", "cerveza", "f"), "phones": ("teléfono móvil", "teléfonos móviles", "m"),
        "handbags": ("bolso", "bolsos", "m"), "shoes": ("par de zapatillas", "pares de zapatillas", "m"),
        "clothing": ("prenda de vestir", "prendas de vestir", "f"), "watches": ("reloj", "relojes", "m"),
        "medicines": ("comprimidos", "comprimidos", "m"), "perfume": ("perfume", "perfumes", "m"),
        "auto_parts": ("autoparte", "autopartes", "f"), "parrots": ("loro amazona", "loros amazona", "m"),
        "songbirds": ("ave canora", "aves canoras", "f"), "turtle_shell": ("objeto de carey", "objetos de carey", "m"),
        "conch": ("caracol rosado", "caracol rosado", "m"), "sea_cucumber": ("pepino de mar", "pepino de mar", "m"),
        "explosives": ("explosivos", "explosivos", "m"), "jewellery": ("joya", "joyas", "f"),
    },
    "fr": {
        "cigarettes": ("cigarettes", "cigarettes", "f"), "cigars": ("cigares", "cigares", "m"),
        "waterpipe": ("tabac à narguilé", "tabac à narguilé", "m"), "raw_tobacco": ("tabac brut", "tabac brut", "m"),
        "e_cigarettes": ("cigarette électronique", "cigarettes électroniques", "f"),
        "gasoline": ("essence", "essence", "f"), "diesel": ("gazole", "gazole", "m"),
        "kerosene": ("kérosène", "kérosène", "m"), "lpg": ("GPL", "GPL", "m"),
        "pistol": ("pistolet", "pistolets", "m"), "revolver": ("revolver", "revolvers", "m"),
        "rifle": ("carabine", "carabines", "f"), "shotgun": ("fusil de chasse", "fusils de chasse", "m"),
        "assault_rifle": ("fusil d'assaut", "fusils d'assaut", "m"),
        "submachine_gun": ("pistolet-mitrailleur", "pistolets-mitrailleurs", "m"),
        "parts_components": ("pièce d'arme", "pièces d'armes", "f"), "ammunition": ("munitions", "munitions", "f"),
        "cocaine": ("cocaïne", "cocaïne", "f"), "cannabis": ("cannabis", "cannabis", "m"),
        "heroin": ("héroïne", "héroïne", "f"), "methamphetamine": ("méthamphétamine", "méthamphétamine", "f"),
        "synthetic": ("ecstasy (MDMA)", "ecstasy (MDMA)", "f"), "other_drug": ("kétamine", "kétamine", "f"),
        "rum": ("rhum", "rhum", "m"), "whisky": ("whisky", "whisky", "m"), "vodka": ("vodka", "vodka", "f"),
        "wine": ("vin", "vin", "m"), "champagne": ("champagne", "champagne", "m"), "beer": ("bière", "bière", "f"),
        "phones": ("téléphone portable", "téléphones portables", "m"), "handbags": ("sac à main", "sacs à main", "m"),
        "shoes": ("paire de baskets", "paires de baskets", "f"), "clothing": ("vêtement", "vêtements", "m"),
        "watches": ("montre", "montres", "f"), "medicines": ("comprimés", "comprimés", "m"),
        "perfume": ("parfum", "parfums", "m"), "auto_parts": ("pièce automobile", "pièces automobiles", "f"),
        "parrots": ("amazone (perroquet)", "amazones (perroquets)", "f"),
        "songbirds": ("oiseau chanteur", "oiseaux chanteurs", "m"),
        "turtle_shell": ("objet en écaille de tortue", "objets en écaille de tortue", "m"),
        "conch": ("lambi", "lambi", "m"), "sea_cucumber": ("concombre de mer", "concombre de mer", "m"),
        "explosives": ("explosifs", "explosifs", "m"), "jewellery": ("bijou", "bijoux", "m"),
    },
    "nl": {
        "cigarettes": ("sigaretten", "sigaretten"), "cigars": ("sigaren", "sigaren"),
        "waterpipe": ("waterpijptabak", "waterpijptabak"), "raw_tobacco": ("ruwe tabak", "ruwe tabak"),
        "e_cigarettes": ("e-sigaret", "e-sigaretten"), "gasoline": ("benzine", "benzine"),
        "diesel": ("diesel", "diesel"), "kerosene": ("kerosine", "kerosine"), "lpg": ("lpg", "lpg"),
        "pistol": ("pistool", "pistolen"), "revolver": ("revolver", "revolvers"), "rifle": ("geweer", "geweren"),
        "shotgun": ("jachtgeweer", "jachtgeweren"), "assault_rifle": ("aanvalsgeweer", "aanvalsgeweren"),
        "submachine_gun": ("machinepistool", "machinepistolen"),
        "parts_components": ("wapenonderdeel", "wapenonderdelen"), "ammunition": ("munitie", "munitie"),
        "cocaine": ("cocaïne", "cocaïne"), "cannabis": ("cannabis", "cannabis"), "heroin": ("heroïne", "heroïne"),
        "methamphetamine": ("methamfetamine", "methamfetamine"), "synthetic": ("xtc (MDMA)", "xtc (MDMA)"),
        "other_drug": ("ketamine", "ketamine"), "rum": ("rum", "rum"), "whisky": ("whisky", "whisky"),
        "vodka": ("wodka", "wodka"), "wine": ("wijn", "wijn"), "champagne": ("champagne", "champagne"),
        "beer": ("bier", "bier"), "phones": ("mobiele telefoon", "mobiele telefoons"),
        "handbags": ("handtas", "handtassen"), "shoes": ("paar sportschoenen", "paar sportschoenen"),
        "clothing": ("kledingstuk", "kledingstukken"), "watches": ("horloge", "horloges"),
        "medicines": ("tabletten", "tabletten"), "perfume": ("parfum", "parfums"),
        "auto_parts": ("auto-onderdeel", "auto-onderdelen"), "parrots": ("amazonepapegaai", "amazonepapegaaien"),
        "songbirds": ("zangvogel", "zangvogels"), "turtle_shell": ("voorwerp van karetschild", "voorwerpen van karetschild"),
        "conch": ("kroonslak", "kroonslak"), "sea_cucumber": ("zeekomkommer", "zeekomkommer"),
        "explosives": ("explosieven", "explosieven"), "jewellery": ("sieraad", "sieraden"),
    },
}
STATUSES = {  # en/nl: before the noun; es/fr: after it, (masculine, feminine)
    "en": {"counterfeit": "counterfeit", "contraband": "contraband", "illicit_white": "illicit-white"},
    "nl": {"counterfeit": "nagemaakte", "contraband": "gesmokkelde", "illicit_white": "illegale 'illicit white'"},
    "es": {"counterfeit": ("falsificados", "falsificadas"), "contraband": ("de contrabando",) * 2,
           "illicit_white": ("de marca blanca ilícita",) * 2},
    "fr": {"counterfeit": ("contrefaits", "contrefaites"), "contraband": ("de contrebande",) * 2,
           "illicit_white": ("« illicit whites »",) * 2},
}
UNITS = {  # unit -> (singular, plural); counted units (pieces) have none
    "en": {"packs": ("pack", "packs"), "cartons": ("carton", "cartons"), "master_cases": ("master case", "master cases"),
           "kg": ("kg", "kg"), "g": ("g", "g"), "litres": ("litre", "litres"), "gallons_us": ("US gallon", "US gallons"),
           "gallons_imperial": ("imperial gallon", "imperial gallons"), "barrels": ("barrel", "barrels"),
           "rounds": ("round", "rounds")},
    "es": {"packs": ("cajetilla", "cajetillas"), "cartons": ("cartón", "cartones"),
           "master_cases": ("caja máster", "cajas máster"), "kg": ("kg", "kg"), "g": ("g", "g"),
           "litres": ("litro", "litros"), "gallons_us": ("galón estadounidense", "galones estadounidenses"),
           "gallons_imperial": ("galón imperial", "galones imperiales"), "barrels": ("barril", "barriles"),
           "rounds": ("cartucho", "cartuchos")},
    "fr": {"packs": ("paquet", "paquets"), "cartons": ("cartouche", "cartouches"),
           "master_cases": ("caisse", "caisses"), "kg": ("kg", "kg"), "g": ("g", "g"), "litres": ("litre", "litres"),
           "gallons_us": ("gallon américain", "gallons américains"),
           "gallons_imperial": ("gallon impérial", "gallons impériaux"), "barrels": ("baril", "barils"),
           "rounds": ("cartouche", "cartouches")},
    "nl": {"packs": ("pakje", "pakjes"), "cartons": ("slof", "sloffen"), "master_cases": ("mastercase", "mastercases"),
           "kg": ("kg", "kg"), "g": ("g", "g"), "litres": ("liter", "liter"),
           "gallons_us": ("Amerikaanse gallon", "Amerikaanse gallons"),
           "gallons_imperial": ("imperial gallon", "imperial gallons"), "barrels": ("vat", "vaten"),
           "rounds": ("patroon", "patronen")},
}
OF = {"en": "of ", "es": "de ", "fr": "de ", "nl": ""}
CASH = {"en": "{amount} in cash", "es": "{amount} en efectivo", "fr": "{amount} en espèces",
        "nl": "{amount} aan contant geld"}

REASONS = {
    "en": {"intelligence": "acting on intelligence", "tip_off": "following a tip-off",
           "risk_profiling": "on the basis of risk profiling", "routine": "during a routine control",
           "random": "after a random selection", "canine": "after a detector dog indicated",
           "xray": "after an X-ray scan showed anomalies", "physical_exam": "during a physical examination",
           "document_check": "after discrepancies were found in the documents",
           "post_clearance_audit": "during a post-clearance audit",
           "joint_operation": "as part of a joint operation", "other": "during a control"},
    "es": {"intelligence": "a partir de información de inteligencia", "tip_off": "tras una denuncia",
           "risk_profiling": "con base en el análisis de riesgo", "routine": "durante un control de rutina",
           "random": "tras una selección aleatoria", "canine": "tras la alerta de un perro detector",
           "xray": "tras una inspección por rayos X que mostró anomalías", "physical_exam": "durante un examen físico",
           "document_check": "tras detectar discrepancias en los documentos",
           "post_clearance_audit": "durante una auditoría posterior al despacho",
           "joint_operation": "en el marco de una operación conjunta", "other": "durante un control"},
    "fr": {"intelligence": "sur la base de renseignements", "tip_off": "à la suite d'un signalement",
           "risk_profiling": "sur la base de l'analyse de risque", "routine": "lors d'un contrôle de routine",
           "random": "à la suite d'une sélection aléatoire", "canine": "après le marquage d'un chien détecteur",
           "xray": "après un passage au scanner révélant des anomalies", "physical_exam": "lors d'une visite physique",
           "document_check": "après la découverte d'incohérences documentaires",
           "post_clearance_audit": "lors d'un contrôle a posteriori",
           "joint_operation": "dans le cadre d'une opération conjointe", "other": "lors d'un contrôle"},
    "nl": {"intelligence": "op basis van inlichtingen", "tip_off": "na een tip",
           "risk_profiling": "op basis van risicoprofilering", "routine": "tijdens een routinecontrole",
           "random": "na een willekeurige selectie", "canine": "na een aanslag van een speurhond",
           "xray": "na een scan die afwijkingen liet zien", "physical_exam": "tijdens een fysieke controle",
           "document_check": "na het vaststellen van onregelmatigheden in de documenten",
           "post_clearance_audit": "tijdens een controle achteraf",
           "joint_operation": "in het kader van een gezamenlijke operatie", "other": "tijdens een controle"},
}
SUBJECTS = {  # what was examined, by scenario (and direction)
    "en": {"container": "container {container} discharged from the {vessel}",
           "container_out": "container {container} booked on the {vessel}",
           "containers": "containers {container} discharged from the {vessel}",
           "containers_out": "containers {container} booked on the {vessel}",
           "barrel": "a consolidated container ({container}) of barrels from the {vessel}",
           "small_craft": "the vessel '{vessel}'", "small_craft_unnamed": "a go-fast boat with no name",
           "tanker": "the tanker {vessel}", "passenger_air": "a passenger arriving on flight {flight}",
           "passenger_air_out": "a passenger departing on flight {flight}",
           "air_cargo": "an air cargo consignment from flight {flight}", "courier": "an express courier parcel",
           "postal": "a postal item", "vehicle": "a vehicle registered {plate}"},
    "es": {"container": "el contenedor {container} descargado del buque {vessel}",
           "container_out": "el contenedor {container} reservado en el buque {vessel}",
           "containers": "los contenedores {container} descargados del buque {vessel}",
           "containers_out": "los contenedores {container} reservados en el buque {vessel}",
           "barrel": "un contenedor consolidado ({container}) de barriles del buque {vessel}",
           "small_craft": "la embarcación «{vessel}»", "small_craft_unnamed": "una lancha rápida sin nombre",
           "tanker": "el buque tanque {vessel}", "passenger_air": "a un pasajero que llegaba en el vuelo {flight}",
           "passenger_air_out": "a un pasajero que salía en el vuelo {flight}",
           "air_cargo": "un envío de carga aérea del vuelo {flight}", "courier": "un paquete de mensajería urgente",
           "postal": "un envío postal", "vehicle": "un vehículo con matrícula {plate}"},
    "fr": {"container": "le conteneur {container} débarqué du navire {vessel}",
           "container_out": "le conteneur {container} réservé sur le navire {vessel}",
           "containers": "les conteneurs {container} débarqués du navire {vessel}",
           "containers_out": "les conteneurs {container} réservés sur le navire {vessel}",
           "barrel": "un conteneur de groupage ({container}) chargé de fûts, débarqué du navire {vessel}",
           "small_craft": "l'embarcation « {vessel} »", "small_craft_unnamed": "un go-fast sans nom",
           "tanker": "le pétrolier {vessel}", "passenger_air": "un passager arrivé par le vol {flight}",
           "passenger_air_out": "un passager au départ sur le vol {flight}",
           "air_cargo": "un envoi de fret aérien du vol {flight}", "courier": "un colis de messagerie express",
           "postal": "un envoi postal", "vehicle": "un véhicule immatriculé {plate}"},
    "nl": {"container": "container {container}, gelost van het schip {vessel}",
           "container_out": "container {container}, geboekt op het schip {vessel}",
           "containers": "containers {container}, gelost van het schip {vessel}",
           "containers_out": "containers {container}, geboekt op het schip {vessel}",
           "barrel": "een groupagecontainer ({container}) met vaten van het schip {vessel}",
           "small_craft": "het vaartuig '{vessel}'", "small_craft_unnamed": "een snelle boot zonder naam",
           "tanker": "de tanker {vessel}", "passenger_air": "een passagier, aangekomen met vlucht {flight}",
           "passenger_air_out": "een vertrekkende passagier op vlucht {flight}",
           "air_cargo": "een luchtvrachtzending van vlucht {flight}", "courier": "een koerierspakket",
           "postal": "een postzending", "vehicle": "een voertuig met kenteken {plate}"},
}
OPENINGS = {
    "en": ("On {date}, {reason}, officers at {place} examined {subject}.",
           "{Reason}, customs officers at {place} examined {subject} on {date}.",
           "At {place} on {date}, officers intercepted {subject} {reason}."),
    "es": ("El {date}, {reason}, los funcionarios de aduanas en {place} inspeccionaron {subject}.",
           "{Reason}, los funcionarios en {place} inspeccionaron el {date} {subject}.",
           "En {place}, el {date}, los funcionarios interceptaron {subject} {reason}."),
    "fr": ("Le {date}, {reason}, les agents des douanes à {place} ont contrôlé {subject}.",
           "{Reason}, les douaniers ont contrôlé {subject} à {place} le {date}.",
           "À {place}, le {date}, les agents ont intercepté {subject} {reason}."),
    "nl": ("Op {date} controleerden douaneambtenaren in {place} {subject}, {reason}.",
           "{Reason} controleerde de douane op {date} in {place} {subject}.",
           "In {place} werd op {date} {subject} onderschept, {reason}."),
}
FINDINGS = {
    "en": ("The examination revealed {items}, {concealment}.", "Officers found {items}, {concealment}."),
    "es": ("La inspección permitió hallar {items}, {concealment}.", "Los funcionarios encontraron {items}, {concealment}."),
    "fr": ("Le contrôle a permis de découvrir {items}, {concealment}.", "Les agents ont découvert {items}, {concealment}."),
    "nl": ("Bij de controle werden {items} aangetroffen, {concealment}.",
           "De ambtenaren troffen {items} aan, {concealment}."),
}
ORIGINS = {"en": "The goods came from {origin}{via}.", "es": "La mercancía procedía de {origin}{via}.",
           "fr": "Provenance : {origin}{via}.", "nl": "Herkomst: {origin}{via}."}
DESTINED = {"en": "The goods were bound for {destination}{via}.",
            "es": "La mercancía tenía como destino {destination}{via}.",
            "fr": "Destination : {destination}{via}.", "nl": "Bestemming: {destination}{via}."}
VIA = {"en": ", via {0}", "es": ", vía {0}", "fr": ", via {0}", "nl": ", via {0}"}
AND = {"en": " and ", "es": " y ", "fr": " et ", "nl": " en "}
CLOSINGS = {  # with arrests: (one person, several persons)
    "en": {"arrests": (("One person was arrested and charged.", "{n} persons were arrested and charged."),
                       ("One suspect was arrested.", "{n} suspects were arrested.")),
           "none": ("No arrests were made; enquiries continue.",
                    "The goods were seized and the case was referred to the investigations unit.",
                    "The information was shared with the JIO for analysis.")},
    "es": {"arrests": (("Se detuvo a una persona, que fue puesta a disposición judicial.",
                        "Se detuvo a {n} personas, que fueron puestas a disposición judicial."),
                       ("Se arrestó a un sospechoso.", "Se arrestó a {n} sospechosos.")),
           "none": ("No hubo detenciones; la investigación continúa.",
                    "La mercancía fue incautada y el caso remitido a la unidad de investigaciones.",
                    "La información se compartió con el JIO para su análisis.")},
    "fr": {"arrests": (("Une personne a été interpellée.", "{n} personnes ont été interpellées."),
                       ("Un suspect a été placé en garde à vue.", "{n} suspects ont été placés en garde à vue.")),
           "none": ("Aucune interpellation ; l'enquête se poursuit.",
                    "Les marchandises ont été saisies et le dossier transmis au service d'enquêtes.",
                    "L'information a été partagée avec le JIO pour analyse.")},
    "nl": {"arrests": (("Er werd één persoon aangehouden.", "Er werden {n} personen aangehouden."),
                       ("Eén verdachte werd aangehouden.", "{n} verdachten werden aangehouden.")),
           "none": ("Er is niemand aangehouden; het onderzoek loopt.",
                    "De goederen zijn in beslag genomen en de zaak is overgedragen aan de opsporingsdienst.",
                    "De informatie is gedeeld met het JIO voor analyse.")},
}
CONCEALMENTS = {
    "en": {"within_goods": "concealed in a cargo of {cover}", "misdeclared": "declared as {cover}",
           "mixed_with_cargo": "mixed with a cargo of {cover}",
           "container_structure": "hidden in the structure of the container",
           "false_compartment": "in a purpose-built false compartment", "natural_void": "in natural voids",
           "parasitic_hull": "in a parasitic device attached to the hull", "luggage": "in the luggage",
           "on_body": "strapped to the body", "in_body": "ingested in pellets",
           "postal_item": "inside the item, declared as {cover}", "courier_parcel": "inside the parcel, declared as {cover}",
           "undeclared": "without any declaration", "other": "in an unusual manner"},
    "es": {"within_goods": "dentro de una carga de {cover}", "misdeclared": "con una declaración falsa como {cover}",
           "mixed_with_cargo": "entre una carga de {cover}", "container_structure": "en la estructura del contenedor",
           "false_compartment": "en un compartimento oculto", "natural_void": "en espacios vacíos naturales",
           "parasitic_hull": "en un dispositivo adosado al casco", "luggage": "en el equipaje",
           "on_body": "sobre el cuerpo", "in_body": "en cápsulas ingeridas",
           "postal_item": "dentro del envío, declarado como {cover}",
           "courier_parcel": "dentro del paquete, declarado como {cover}",
           "undeclared": "sin declaración alguna", "other": "de forma inusual"},
    "fr": {"within_goods": "dans une cargaison de {cover}", "misdeclared": "sous couvert d'une déclaration de {cover}",
           "mixed_with_cargo": "au milieu d'une cargaison de {cover}",
           "container_structure": "dans la structure du conteneur", "false_compartment": "dans une cache aménagée",
           "natural_void": "dans des cavités naturelles", "parasitic_hull": "dans un dispositif fixé sous la coque",
           "luggage": "dans les bagages", "on_body": "sur le corps", "in_body": "in corpore (ovules ingérés)",
           "postal_item": "dans l'envoi, déclaré comme {cover}", "courier_parcel": "dans le colis, déclaré comme {cover}",
           "undeclared": "sans aucune déclaration", "other": "de manière inhabituelle"},
    "nl": {"within_goods": "verborgen in een lading {cover}", "misdeclared": "aangegeven als {cover}",
           "mixed_with_cargo": "tussen een lading {cover}", "container_structure": "in de constructie van de container",
           "false_compartment": "in een speciaal gebouwde verborgen ruimte", "natural_void": "in natuurlijke holtes",
           "parasitic_hull": "in een parasitair compartiment aan de romp", "luggage": "in de bagage",
           "on_body": "op het lichaam", "in_body": "in het lichaam (bolletjes)",
           "postal_item": "in de zending, aangegeven als {cover}", "courier_parcel": "in het pakket, aangegeven als {cover}",
           "undeclared": "zonder aangifte", "other": "op ongebruikelijke wijze"},
}
COVERS = {
    "en": {"fish": "frozen fish cartons", "household": "barrels of used household goods", "rice": "bags of rice",
           "auto_parts": "auto parts", "furniture": "furniture", "bananas": "boxes of bananas",
           "clothing": "bales of used clothing", "tiles": "ceramic tiles", "canned_food": "canned food",
           "scrap": "scrap metal", "building": "building materials", "food": "food supplies",
           "lubricants": "lubricating oil"},
    "es": {"fish": "cajas de pescado congelado", "household": "barriles de enseres domésticos usados",
           "rice": "sacos de arroz", "auto_parts": "autopartes", "furniture": "muebles", "bananas": "cajas de bananos",
           "clothing": "pacas de ropa usada", "tiles": "baldosas de cerámica", "canned_food": "alimentos enlatados",
           "scrap": "chatarra", "building": "materiales de construcción", "food": "víveres",
           "lubricants": "aceite lubricante"},
    "fr": {"fish": "cartons de poisson congelé", "household": "fûts d'effets ménagers usagés", "rice": "sacs de riz",
           "auto_parts": "pièces automobiles", "furniture": "meubles", "bananas": "caisses de bananes",
           "clothing": "balles de vêtements usagés", "tiles": "carreaux de céramique", "canned_food": "conserves",
           "scrap": "ferraille", "building": "matériaux de construction", "food": "denrées alimentaires",
           "lubricants": "huile de lubrification"},
    "nl": {"fish": "dozen diepvriesvis", "household": "vaten met gebruikte huisraad", "rice": "zakken rijst",
           "auto_parts": "auto-onderdelen", "furniture": "meubels", "bananas": "dozen bananen",
           "clothing": "balen gebruikte kleding", "tiles": "keramische tegels", "canned_food": "blikvoedsel",
           "scrap": "schroot", "building": "bouwmaterialen", "food": "levensmiddelen", "lubricants": "smeerolie"},
}


ENGLISH_COUNTRY_NAMES = {"US": "the United States", "BS": "the Bahamas", "DO": "the Dominican Republic",
                         "NL": "the Netherlands", "GB": "the United Kingdom", "KY": "the Cayman Islands",
                         "TC": "the Turks and Caicos Islands", "VG": "the British Virgin Islands",
                         "AE": "the United Arab Emirates", "BQ": "Bonaire, Sint Eustatius and Saba"}


def number(value: float, lang: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if lang == "en":
        return text
    thousands = "\u202f" if lang == "fr" else "."
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", thousands)


def long_date(day: date, lang: str) -> str:
    return DATE_FORMATS[lang].format(d=day.day, m=MONTHS[lang][day.month - 1], y=day.year)


@lru_cache(maxsize=8)
def _country_names(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str, lang: str) -> str:
    if lang == "en":
        return ENGLISH_COUNTRY_NAMES.get(code) or vocab.countries()[code].split(", ")[0]
    official = pycountry.countries.get(alpha_2=code).name
    return _country_names(lang).gettext(official).split(", ")[0]


def thing(draft: ItemDraft, lang: str) -> str:
    """What an item is, without its quantity: 'counterfeit cigarettes (Marlboro)'."""
    singular, plural, *gender = NOUNS[lang][draft.noun]
    noun = singular if draft.unit == "pieces" and draft.quantity == 1 else plural
    if draft.status:
        status = STATUSES[lang][draft.status]
        if lang in ("en", "nl"):
            noun = f"{status} {noun}"
        else:
            noun = f"{noun} {status[1 if gender and gender[0] == 'f' else 0]}"
    return f"{noun} ({draft.label})" if draft.label else noun


def item_phrase(draft: ItemDraft, lang: str) -> str:
    if draft.category == "currency":
        return CASH[lang].format(amount=f"{draft.unit} {number(draft.quantity, lang)}")
    what = thing(draft, lang)
    units = UNITS[lang].get(draft.unit)
    if units is None:  # counted in pieces
        return f"{number(draft.quantity, lang)} {what}"
    unit = units[0] if draft.quantity == 1 else units[1]
    of = OF[lang]
    if lang == "fr" and what[:1].lower() in "aeéèêiouhy":
        of = "d'"
    return f"{number(draft.quantity, lang)} {unit} {of}{what}"


def description(draft: ItemDraft, lang: str) -> str:
    text = thing(draft, lang) if draft.category != "currency" else CASH[lang].format(amount=draft.unit).strip()
    return text[:1].upper() + text[1:]


def concealment(method: str | None, cover: str, lang: str) -> str:
    return CONCEALMENTS[lang][method or "undeclared"].format(cover=COVERS[lang][cover])


def join(parts: list[str], lang: str) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + AND[lang] + parts[-1]


def narrative(rng: random.Random, lang: str, *, day: date, place: str, detection: str, subject_key: str,
              subject: dict, items: list[ItemDraft], concealment_text: str, origin: str | None,
              destination: str | None, transits: list[str], arrests: int) -> str:
    reason = REASONS[lang][detection]
    opening = rng.choice(OPENINGS[lang]).format(
        date=long_date(day, lang), place=place, reason=reason, Reason=reason[:1].upper() + reason[1:],
        subject=SUBJECTS[lang][subject_key].format(container=join(subject["containers"], lang), **subject))
    finding = rng.choice(FINDINGS[lang]).format(items=join([item_phrase(i, lang) for i in items], lang),
                                                concealment=concealment_text)
    sentences = [opening, finding]
    via = VIA[lang].format(join([country_name(c, lang) for c in transits], lang)) if transits else ""
    if origin:
        sentences.append(ORIGINS[lang].format(origin=country_name(origin, lang), via=via))
    elif destination:
        sentences.append(DESTINED[lang].format(destination=country_name(destination, lang), via=via))
    if arrests:
        sentences.append(rng.choice(CLOSINGS[lang]["arrests"])[arrests > 1].format(n=arrests))
    else:
        sentences.append(rng.choice(CLOSINGS[lang]["none"]))
    return " ".join(sentences)
