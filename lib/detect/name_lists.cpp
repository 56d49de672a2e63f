#include "detect/name_lists.h"

#include <string>
#include <unordered_set>

#include "detect/matchers.h"

namespace dpo::detect {
namespace {

// Dutch first names (CBS top lists across generations) and common
// international first names seen in Dutch staffing data.
constexpr std::string_view kFirstNames =
    "jan piet kees henk gerrit johannes cornelis hendrik willem pieter jacob dirk klaas arie adriaan "
    "johan hans peter paul marco mark martin michel erik eric frank rob robert richard ronald rene "
    "dennis jeroen joost jasper bas niels tim tom thomas daan sem lucas levi finn luuk milan noah liam "
    "jesse ruben sven thijs stijn lars bram max sander wouter bart koen rick roy kevin mike nick jordy "
    "wim gert gijs hugo julian mees siem teun ties olivier vincent wesley youri yannick dylan jayden "
    "maria anna johanna cornelia elisabeth wilhelmina hendrika geertruida catharina margaretha "
    "anne annemarie anneke ans els ellen esther ingrid inge karin linda marjolein monique petra sandra "
    "saskia wendy yvonne marieke miriam mirjam nicole patricia sanne sophie emma julia tess fleur lotte "
    "lisa eva sara sarah noa zoe mila nora evi lieke iris femke anouk demi kim lisanne manon melissa "
    "naomi romy sanne sophie vera britt fenna isa jasmijn lynn roos yara amber chantal danielle "
    "joyce kirsten laura marloes nina renske suzanne tamara tanja willemijn astrid birgit carla "
    "dorien gerda greet hanneke hilde ilse janneke jolanda karen loes margriet nel riet tineke trijntje "
    "mohammed mohamed muhammad ahmed ali omar youssef yusuf ibrahim hassan hussein mustafa mehmet "
    "fatima aisha ayse zeynep emine khadija meryem samira nadia yasmina amira leila salma "
    "david daniel michael james john william joseph charles george edward henry oliver jack harry "
    "jacob ethan alexander benjamin samuel matthew andrew joshua christopher anthony steven brian "
    "jennifer jessica ashley emily elizabeth mary patricia barbara susan margaret sarah karen nancy "
    "lisa betty helen sandra donna carol ruth sharon michelle laura kimberly deborah amy angela "
    "olivia ava isabella mia charlotte amelia harper evelyn abigail ella grace chloe victoria "
    "piotr pawel tomasz krzysztof marcin michal jakub kamil lukasz andrzej agnieszka katarzyna "
    "magdalena joanna malgorzata ewa monika aleksandra dorota justyna "
    "hans klaus jurgen wolfgang stefan andreas uwe dieter heinz gunter ursula monika sabine petra "
    "giuseppe giovanni antonio francesco luca marco alessandro matteo maria giulia francesca chiara "
    "jose juan carlos luis miguel javier pedro manuel antonio carmen lucia ana isabel pilar "
    "jean pierre michel philippe alain nicolas francois louis marie sophie camille nathalie isabelle "
    "ivan dmitri sergei olga natalia irina elena tatiana andrei alexei "
    "wei li ming hui jing yan chen raj rahul amit priya anjali sunil vijay deepak "
    "kofi kwame ama abena chidi ngozi oluwaseun tunde "
    // Common English-language first names across generations (US SSA and
    // UK ONS top lists); words that are also common nouns or months are left
    // out, since free text is judged by these lists too.
    "jane janet janice jean joan joanne judith judy julie kathleen katherine kathryn kathy cynthia "
    "diane diana denise debra deborah dorothy doris frances gloria heather jacqueline joyce "
    "kelly kristen lauren linda lori marilyn martha megan melanie nicole pamela paula rachel "
    "rebecca sharon shirley stephanie tammy teresa theresa tracy valerie virginia wanda brenda "
    "beverly carolyn catherine cheryl christina christine cindy emma evelyn gail hannah jill "
    "jennifer jessica jenna julia kayla kim kristin leah lindsey lisa madison marie natalie "
    "samantha shannon stacy tiffany vanessa veronica alyssa brittany courtney danielle erin "
    "kristina lydia mackenzie megan molly morgan sydney taylor allison andrea angela anne "
    "ashley barbara betty bonnie carol caroline charlotte cheryl chloe claire clara dana "
    "eleanor elaine ella ellen emily erica eva fiona gabrielle georgia hailey holly isabel "
    "jasmine jocelyn josephine katie laura leslie lucy mabel madeline margaret marian mildred "
    "miranda naomi nora olivia penny phyllis priscilla rita roberta rosemary ruth sally sheila "
    "sophia stella susan sylvia tina vera vivian wendy yolanda zoe abigail addison aubrey "
    "avery brooklyn camila elena emilia everly harper isla layla leah luna mila nevaeh paisley "
    "riley savannah scarlett skylar violet willow "
    "aaron adam adrian alan albert alex alfred allen andre andy angel anthony arthur austin "
    "barry benjamin bernard billy blake bobby bradley brandon brett brian bruce bryan carl "
    "carlos chad charles charlie chris christian christopher clarence clifford clinton cody "
    "colin connor craig curtis dale dan daniel darren dave david dean derek dominic donald "
    "douglas dustin dwayne dylan earl eddie edgar edward edwin elijah elliot eric ernest "
    "eugene evan francis franklin fred frederick gabriel gary gavin gene geoffrey gerald "
    "gilbert glen glenn gordon graham greg gregory harold harvey heath howard ian isaac "
    "jack jackson jacob jake jamie jared jason jay jeff jeffrey jeremy jerome jerry jesse "
    "jimmy joe joel johnny jon jonathan jordan josh joshua juan justin keith ken kenneth "
    "kent kevin kirk kyle larry lawrence lee leo leonard leroy logan louis luke malcolm "
    "marcus mario marvin mason matt matthew maurice melvin micah mitchell nathan nathaniel "
    "neil nicholas noah norman oscar owen patrick perry phil philip phillip ralph randall "
    "randy ray raymond reginald ricky riley rodney roger ron ronnie ross roy russell ryan "
    "samuel scott sean seth shane shaun simon spencer stanley stephen steve stuart terry "
    "theodore timothy todd tony travis trevor troy tyler vernon victor walter warren wayne "
    "wesley willie zachary aiden caleb carter cameron easton eli ezra grayson hudson hunter "
    "jaxon josiah landon levi lincoln lucas mateo miles nolan parker ryder sawyer wyatt "
    // More of Europe and Latin America
    "jorge alejandro diego fernando ricardo roberto eduardo sergio rafael andres pablo "
    "francisco javier raul rodrigo gabriela valentina daniela mariana fernanda sofia lucia "
    "ana carmen rosa elena isabela guadalupe alejandra paola "
    "joao pedro tiago rui nuno goncalo beatriz ines mariana catarina "
    "lars anders nils erik johan karl sven olof per magnus bjorn ingrid astrid kerstin "
    "birgitta annika sigrid solveig hanne mette kirsten jens soren henrik niels morten "
    "mikko juha jukka antti timo matti pekka sari tuula riitta "
    "lukas maximilian felix leon jonas tobias florian sebastian jan matthias christoph "
    "katharina julia lena laura anna lea hannah sarah johanna sophie marie "
    "yanick guillaume antoine julien mathieu thierry olivier sebastien emilie aurelie "
    "celine veronique sandrine stephanie valerie chantal brigitte "
    "andrea stefano paolo roberto davide simone lorenzo federico riccardo alessandra "
    "valentina silvia elisa martina federica sara "
    "vladimir nikolai mikhail pavel yuri anastasia svetlana ekaterina maria yelena "
    "aleksander bartosz mateusz wojciech grzegorz zofia anna agata karolina "
    "nikos giorgos dimitris konstantinos eleni katerina "
    "hiroshi takeshi kenji yuki yuko akiko haruto sakura "
    "arjun rohan vikram aditya kavya neha pooja sneha divya "
    "chinedu emeka adebayo folake yetunde aminata fatou moussa ibrahima";

// Dutch surnames (CBS top 300 core) and common international surnames.
constexpr std::string_view kSurnames =
    "jong jansen janssen visser smit meijer meyer bakker mulder bos vos peters hendriks dijk vries "
    "berg dekker brouwer boer wit dam leeuwen bruijn graaf wijk heuvel linden lange kok jacobs "
    "vermeulen schouten willems hoekstra koster prins maas postma huisman kuipers veen timmermans "
    "sanders gerritsen wouters hermans martens jonker evers boom haan hofman kramer hoek koning "
    "beek vliet groot schipper verhoeven molenaar schreuder kuiper bosch dijkstra willemsen "
    "vermeer bergman pool meer veenstra verbeek ven wal kamp driel zanden pauw kaan blom hoogendoorn "
    "smits kaya yilmaz demir sahin celik aydin ozturk arslan dogan "
    "wilde vries hoven broek laan bruin graaff goede vos steen brink zwart vermeulen post "
    "koopman scholten tol horst heijden bakx boersma dekkers gerrits peeters claes maes wouters "
    "el amrani bouzid haddou ouali benali idrissi ammari tahiri "
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
    "gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris "
    "sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill "
    "flores green adams nelson baker hall rivera campbell mitchell carter roberts evans turner "
    "phillips parker edwards collins stewart morris murphy cook rogers morgan cooper peterson "
    "mueller muller schmidt schneider fischer weber meyer wagner becker schulz hoffmann koch richter "
    "klein wolf schroeder neumann schwarz zimmermann braun kruger hartmann lange schmitt werner "
    "rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti "
    "fernandez gomez diaz moreno munoz alvarez romero alonso gutierrez navarro ruiz "
    "dubois durand leroy moreau simon laurent lefebvre michel bernard petit robert richard "
    "nowak kowalski wisniewski wojcik kowalczyk kaminski lewandowski zielinski szymanski "
    "ivanov petrov sidorov popescu popa ionescu horvath nagy kovacs novak "
    "wang li zhang liu chen yang huang zhao wu zhou kumar singh sharma patel gupta khan ahmed "
    "hussain ali rahman mohammed hassan ibrahim okafor mensah doe";

constexpr std::string_view kTussenvoegsels =
    "van de der den het ter ten te op in 't t' vande vander von zu la le du des d' da di del dos das "
    "al el bin ben mac mc o'";

// Dutch municipalities and larger places, plus big international cities.
constexpr std::string_view kCities =
    "amsterdam rotterdam den_haag 's-gravenhage utrecht eindhoven groningen tilburg almere breda "
    "nijmegen apeldoorn haarlem arnhem enschede amersfoort zaanstad haarlemmermeer 's-hertogenbosch "
    "den_bosch zwolle zoetermeer leiden leeuwarden maastricht dordrecht ede alphen_aan_den_rijn "
    "westland alkmaar emmen delft venlo deventer sittard-geleen helmond oss amstelveen hilversum "
    "heerlen sudwest-fryslan purmerend hoofddorp schiedam lelystad roosendaal leidschendam-voorburg "
    "gouda vlaardingen hoorn almelo spijkenisse assen capelle_aan_den_ijssel veenendaal katwijk "
    "zeist nieuwegein hardenberg bergen_op_zoom roermond den_helder oosterhout doetinchem kampen "
    "weert rijswijk heerhugowaard middelburg vlissingen goes terneuzen harderwijk zutphen wageningen "
    "barneveld nijkerk tiel culemborg woerden houten ijsselstein gorinchem hengelo oldenzaal "
    "meppel hoogeveen steenwijk drachten heerenveen sneek harlingen dokkum winterswijk uden veghel "
    "boxtel waalwijk etten-leur tholen zaandam diemen weesp bussum naarden huizen baarn soest "
    "brussel antwerpen gent brugge leuven luik brussels antwerp ghent bruges liege "
    "london paris berlin madrid rome lisbon dublin vienna prague warsaw budapest bucharest sofia "
    "athens istanbul ankara moscow kyiv kiev oslo stockholm copenhagen helsinki zurich geneva bern "
    "munich hamburg cologne frankfurt dusseldorf dortmund essen stuttgart milan naples turin "
    "barcelona valencia seville lyon marseille toulouse nice manchester birmingham leeds glasgow "
    "edinburgh liverpool bristol new_york los_angeles chicago houston toronto montreal vancouver "
    "sydney melbourne tokyo beijing shanghai mumbai delhi bangalore singapore dubai casablanca "
    "rabat tangier krakow wroclaw gdansk poznan lodz";

constexpr std::string_view kGender =
    "m v f x o man vrouw male female anders other onbekend unknown non-binary nonbinary divers "
    "mannelijk vrouwelijk dhr mevr mr mrs ms heer mevrouw";

constexpr std::string_view kMarital =
    "gehuwd ongehuwd getrouwd alleenstaand samenwonend gescheiden weduwe weduwnaar "
    "geregistreerd_partnerschap partnerschap married single divorced widowed separated "
    "cohabiting domestic_partnership registered_partnership civil_partnership";

constexpr std::string_view kNationality =
    "nederlands nederlandse dutch belgisch belgische belgian duits duitse german frans franse french "
    "brits britse british pools poolse polish roemeens roemeense romanian bulgaars bulgaarse "
    "bulgarian turks turkse turkish marokkaans marokkaanse moroccan surinaams surinaamse surinamese "
    "spaans spaanse spanish portugees portugese portuguese italiaans italiaanse italian "
    "hongaars hongaarse hungarian litouws litouwse lithuanian lets letse latvian oekraiens "
    "oekraiense ukrainian syrisch syrische syrian eritrees eritrese eritrean indiaas indiase indian "
    "chinees chinese amerikaans amerikaanse american grieks griekse greek kroatisch croatian "
    "slowaaks slovak tsjechisch czech afghaans afghan iraaks iraqi irakees iraans iranian "
    "nld nl bel deu fra gbr pol rou bgr tur mar sur esp prt ita";

// Looked up by string_view, without building a std::string per lookup.
struct WordHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
using WordSet = std::unordered_set<std::string, WordHash, std::equal_to<>>;

WordSet* BuildSet(std::string_view words) {
  auto* set = new WordSet();
  size_t i = 0;
  while (i < words.size()) {
    size_t j = words.find(' ', i);
    if (j == std::string_view::npos) j = words.size();
    if (j > i) {
      std::string w(words.substr(i, j - i));
      for (char& c : w) {
        if (c == '_') c = ' ';
      }
      set->insert(w);
    }
    i = j + 1;
  }
  return set;
}

bool Lookup(const WordSet& set, std::string_view word) {
  if (word.empty() || word.size() > 40) return false;
  char buf[40];
  for (size_t i = 0; i < word.size(); ++i) buf[i] = internal::ToLower(static_cast<unsigned char>(word[i]));
  return set.find(std::string_view(buf, word.size())) != set.end();
}

}  // namespace

bool IsKnownFirstName(std::string_view w) {
  static const WordSet* set = BuildSet(kFirstNames);
  return Lookup(*set, w);
}
bool IsKnownSurname(std::string_view w) {
  static const WordSet* set = BuildSet(kSurnames);
  return Lookup(*set, w);
}
bool IsTussenvoegsel(std::string_view w) {
  static const WordSet* set = BuildSet(kTussenvoegsels);
  return Lookup(*set, w);
}
bool IsKnownCity(std::string_view v) {
  static const WordSet* set = BuildSet(kCities);
  return Lookup(*set, v);
}
bool IsGenderValue(std::string_view v) {
  static const WordSet* set = BuildSet(kGender);
  if (!v.empty() && v.back() == '.') v.remove_suffix(1);
  return Lookup(*set, v);
}
bool IsMaritalStatusValue(std::string_view v) {
  static const WordSet* set = BuildSet(kMarital);
  return Lookup(*set, v);
}
bool IsNationalityValue(std::string_view v) {
  static const WordSet* set = BuildSet(kNationality);
  return Lookup(*set, v);
}

}  // namespace dpo::detect
